//! Operators' comforts (issue 15): shell completions, the man page and a
//! `--version` that names the build.

mod common;
use common::*;

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn completions_for_bash_zsh_and_fish_know_every_command() {
    for (shell, marker) in
        [("bash", "complete -F"), ("zsh", "#compdef payrun"), ("fish", "complete -c payrun")]
    {
        let out = payrun(&["completions", shell]);
        assert_eq!(code(&out), 0, "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        assert!(script.contains(marker), "{shell}");
        for command in ["run", "batch", "config", "ledger"] {
            assert!(script.contains(command), "{shell} misses {command}");
        }
    }
    assert_eq!(code(&payrun(&["completions", "powershell-7"])), 2);
}

#[test]
fn man_page_is_roff_with_the_commands() {
    let out = payrun(&["man"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let page = stdout(&out);
    assert!(page.starts_with(".ie") || page.contains(".TH payrun"), "{}", &page[..page.len().min(200)]);
    assert!(page.contains("batch") && page.contains("completions"));
}

#[test]
fn version_names_the_build() {
    let out = payrun(&["--version"]);
    assert_eq!(code(&out), 0);
    let version = stdout(&out);
    assert!(version.starts_with(&format!("payrun {}", env!("CARGO_PKG_VERSION"))), "{version}");
    // Built from a checkout (as here and in CI): the commit is named.
    let head = std::process::Command::new("git")
        .current_dir(root())
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    match head {
        Some(commit) => assert!(version.contains(&format!("(git {commit})")), "{version} vs HEAD {commit}"),
        None => assert_eq!(version.trim(), format!("payrun {}", env!("CARGO_PKG_VERSION"))),
    }
}
