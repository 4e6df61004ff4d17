//! Names the build for `payrun --version`: the crate version plus the git
//! commit when built from a checkout (SPEC issue 15). Without git, or outside
//! a checkout (a packaged source), the version alone.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn main() {
    let commit = git(&["rev-parse", "--short=12", "HEAD"]);
    let suffix = commit.map(|c| format!(" (git {c})")).unwrap_or_default();
    println!(
        "cargo:rustc-env=PAYRUN_BUILD={}{suffix}",
        std::env::var("CARGO_PKG_VERSION").unwrap_or_default()
    );
    // Rebuild the name when HEAD moves (a commit, a checkout); worktrees keep
    // HEAD apart from the shared refs, so ask git where both are.
    println!("cargo:rerun-if-changed=build.rs");
    if let Some(path) = git(&["rev-parse", "--git-path", "HEAD"]) {
        println!("cargo:rerun-if-changed={path}");
    }
    if let Some(reference) = git(&["symbolic-ref", "-q", "HEAD"]) {
        if let Some(path) = git(&["rev-parse", "--git-path", &reference]) {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}
