//! `payrun completions` and `payrun man`: shell completions and a man page,
//! generated from the same clap declarations as the command line itself.

use crate::error::{Error, Result};
use clap::{Args, ValueEnum};
use std::io::Write;

/// Print a completion script for a shell on stdout, e.g.
/// `payrun completions bash > /etc/bash_completion.d/payrun`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

/// Print the man page (roff) on stdout, e.g.
/// `payrun man > /usr/local/share/man/man1/payrun.1`.
#[derive(Debug, Args)]
pub struct ManArgs {}

pub fn completions(args: CompletionsArgs, mut command: clap::Command) -> Result<()> {
    let shell = match args.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "payrun", &mut out);
    write_stdout(&out)
}

pub fn man(_args: ManArgs, command: clap::Command) -> Result<()> {
    let mut out = Vec::new();
    clap_mangen::Man::new(command).render(&mut out).map_err(|e| Error::Internal(format!("man page: {e}")))?;
    write_stdout(&out)
}

fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(bytes).and_then(|()| stdout.flush()).map_err(|e| Error::Internal(format!("stdout: {e}")))
}
