//! `payrun config`: the configuration files an organisation edits (SPEC §8.1).

use crate::config::Config;
use crate::error::Result;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Write the built-in policy.toml and columns.toml for editing, or check an
/// edited folder before a run uses it.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub command: ConfigCommand,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    Init(InitArgs),
    Check(CheckArgs),
}

/// Write the built-in policy.toml and columns.toml into DIR (created if
/// missing). An existing file is not overwritten (exit 2) unless --force.
#[derive(Debug, Args)]
pub struct InitArgs {
    pub dir: PathBuf,
    /// Overwrite existing files with the built-in defaults.
    #[arg(long)]
    pub force: bool,
}

/// Check DIR's policy.toml and columns.toml as a run would read them: exit 0
/// and the config hash, or exit 3 naming the file, the key and the reason.
#[derive(Debug, Args)]
pub struct CheckArgs {
    pub dir: PathBuf,
}

pub fn run(args: ConfigArgs) -> Result<()> {
    match args.command {
        ConfigCommand::Init(init) => {
            for path in Config::write_built_in(&init.dir, init.force)? {
                println!("wrote {}", path.display());
            }
            Ok(())
        }
        ConfigCommand::Check(check) => {
            let config = Config::load(&check.dir)?;
            println!("{}: valid (config hash {})", check.dir.display(), config.hash);
            Ok(())
        }
    }
}
