//! SPEC §8.1: built-in defaults, the configuration lookup, `payrun config`
//! and `--org` (validation, titles, manifest, default folders, and never a
//! fresh ledger beside an existing one).

use crate::common::*;
use std::path::Path;
use std::process::{Command, Output};

/// `payrun` started in `cwd` with only the given payrun variables set.
fn payrun_in(cwd: &Path, env: &[(&str, &Path)], args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_payrun"));
    cmd.current_dir(cwd).env_remove("PAYRUN_CONFIG").env_remove("PAYRUN_STATE").args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("payrun binary runs")
}

/// The fixture run's arguments without --out/--state/--config.
fn fixture_args(extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = vec!["run", "--quiet", "--no-xlsx", "--period", "2025-06", "--roster"]
        .into_iter()
        .map(String::from)
        .collect();
    args.push(fixture("ingest/roster.xlsx").display().to_string());
    args.push("--expenses".into());
    args.push(fixture("ingest/expenses.xlsx").display().to_string());
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn run_in(cwd: &Path, env: &[(&str, &Path)], extra: &[&str]) -> Output {
    let args = fixture_args(extra);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    payrun_in(cwd, env, &refs)
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn run_from_an_empty_folder_uses_the_built_in_config_with_the_same_decisions() {
    let cwd = tempfile::tempdir().unwrap();
    let built_in = run_in(cwd.path(), &[], &[]);
    assert_eq!(code(&built_in), 0, "{}", stderr(&built_in));
    // Default folders, relative to the working directory.
    let out = cwd.path().join("out/2025-06");
    assert!(cwd.path().join("payrun-state/ledger.sqlite").is_file());
    let m = manifest(&out);
    assert_eq!(m["config_dir"], "(built-in)");
    assert_eq!(m["organisation"], serde_json::Value::Null);

    let repo = tempfile::tempdir().unwrap();
    let config = root().join("config");
    let explicit =
        run_in(repo.path(), &[], &["--config", &config.display().to_string(), "--out", "o", "--state", "s"]);
    assert_eq!(code(&explicit), 0, "{}", stderr(&explicit));
    let m2 = manifest(&repo.path().join("o"));
    assert_eq!(m2["config_dir"], config.display().to_string());
    assert_eq!(m["config_hash"], m2["config_hash"], "the hash is of the text used, and the texts are equal");
    for f in ["decisions.csv", "exceptions.csv", "adjustments.csv", "p11d.csv"] {
        assert_eq!(read(&out.join(f)), read(&repo.path().join("o").join(f)), "{f}");
    }
}

/// A config folder whose car mileage lower rate is `rate` (text in pounds).
fn config_with_lower_rate(dir: &Path, rate: &str) {
    let policy = std::fs::read_to_string(root().join("config/policy.toml")).unwrap();
    assert!(policy.contains("lower = \"0.25\""));
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("policy.toml"),
        policy.replacen("lower = \"0.25\"", &format!("lower = \"{rate}\""), 1),
    )
    .unwrap();
    std::fs::copy(root().join("config/columns.toml"), dir.join("columns.toml")).unwrap();
}

#[test]
fn config_is_found_in_payrun_config_then_the_local_config_folder() {
    let cwd = tempfile::tempdir().unwrap();
    let env_dir = cwd.path().join("env-config");
    config_with_lower_rate(&env_dir, "0.30");
    config_with_lower_rate(&cwd.path().join("config"), "0.35");

    let with_env = run_in(cwd.path(), &[("PAYRUN_CONFIG", &env_dir)], &["--out", "a", "--state", "sa"]);
    assert_eq!(code(&with_env), 0, "{}", stderr(&with_env));
    assert_eq!(manifest(&cwd.path().join("a"))["config_dir"], env_dir.display().to_string());

    let local = run_in(cwd.path(), &[], &["--out", "b", "--state", "sb"]);
    assert_eq!(code(&local), 0, "{}", stderr(&local));
    assert_eq!(manifest(&cwd.path().join("b"))["config_dir"], "config");

    // --config wins over both.
    let explicit = run_in(
        cwd.path(),
        &[("PAYRUN_CONFIG", &env_dir)],
        &["--config", "config", "--out", "c", "--state", "sc"],
    );
    assert_eq!(code(&explicit), 0, "{}", stderr(&explicit));
    assert_eq!(manifest(&cwd.path().join("c"))["config_dir"], "config");
    assert_ne!(
        manifest(&cwd.path().join("a"))["config_hash"],
        manifest(&cwd.path().join("b"))["config_hash"]
    );

    // A named folder that does not exist is an error, not a silent fallback.
    let missing = cwd.path().join("nowhere");
    let bad = run_in(cwd.path(), &[("PAYRUN_CONFIG", &missing)], &["--out", "d", "--state", "sd"]);
    assert_eq!(code(&bad), 3, "{}", stderr(&bad));
    assert!(stderr(&bad).contains("nowhere"), "{}", stderr(&bad));
}

#[test]
fn config_init_writes_the_built_in_files_and_refuses_to_overwrite() {
    let cwd = tempfile::tempdir().unwrap();
    let init = payrun_in(cwd.path(), &[], &["config", "init", "RP5"]);
    assert_eq!(code(&init), 0, "{}", stderr(&init));
    assert_eq!(read(&cwd.path().join("RP5/policy.toml")), read(&root().join("config/policy.toml")));
    assert_eq!(read(&cwd.path().join("RP5/columns.toml")), read(&root().join("config/columns.toml")));

    let again = payrun_in(cwd.path(), &[], &["config", "init", "RP5"]);
    assert_eq!(code(&again), 2, "{}", stderr(&again));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    let forced = payrun_in(cwd.path(), &[], &["config", "init", "RP5", "--force"]);
    assert_eq!(code(&forced), 0, "{}", stderr(&forced));

    let check = payrun_in(cwd.path(), &[], &["config", "check", "RP5"]);
    assert_eq!(code(&check), 0, "{}", stderr(&check));
    assert!(String::from_utf8_lossy(&check.stdout).contains("valid"));
}

#[test]
fn config_check_names_the_broken_key() {
    let cwd = tempfile::tempdir().unwrap();
    config_with_lower_rate(&cwd.path().join("RP5"), "-0.25");
    let check = payrun_in(cwd.path(), &[], &["config", "check", "RP5"]);
    assert_eq!(code(&check), 3, "{}", stderr(&check));
    let err = stderr(&check);
    assert!(err.contains("policy.toml") && err.contains("rates[0].mileage.lower"), "{err}");

    let missing = payrun_in(cwd.path(), &[], &["config", "check", "nowhere"]);
    assert_eq!(code(&missing), 3, "{}", stderr(&missing));
}

#[test]
fn org_codes_are_validated_before_anything_is_read() {
    let cwd = tempfile::tempdir().unwrap();
    for bad in ["", "RP5/..", "TOO-LONG-A-CODE-17", "R P5", "RP5."] {
        let out = run_in(cwd.path(), &[], &["--org", bad]);
        assert_eq!(code(&out), 2, "{bad}: {}", stderr(&out));
        assert!(stderr(&out).contains("--org"), "{}", stderr(&out));
    }
    assert!(!cwd.path().join("payrun-state").exists(), "nothing created for a bad code");
    assert!(!cwd.path().join("out").exists());
}

#[test]
fn org_sets_titles_manifest_and_default_folders() {
    let cwd = tempfile::tempdir().unwrap();
    let args = fixture_args(&["--org", "RP5"]);
    let mut refs: Vec<&str> = args.iter().map(String::as_str).collect();
    refs.retain(|a| *a != "--no-xlsx");
    let out = payrun_in(cwd.path(), &[], &refs);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out_dir = cwd.path().join("out/RP5/2025-06");
    assert_eq!(manifest(&out_dir)["organisation"], "RP5");
    assert!(cwd.path().join("payrun-state/RP5/ledger.sqlite").is_file());
    assert!(!cwd.path().join("payrun-state/ledger.sqlite").exists());
    for (book, title) in [
        ("payroll-adjustments-2025-06.xlsx", "RP5 — Payroll adjustments — pay period 2025-06"),
        ("exceptions-2025-06.xlsx", "RP5 — Exceptions — pay period 2025-06"),
    ] {
        let file = std::fs::File::open(out_dir.join(book)).unwrap();
        let mut zip = zip::ZipArchive::new(file).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("docProps/core.xml").unwrap(), &mut xml).unwrap();
        assert!(xml.contains(title), "{book}: {xml}");
        let mut sheet = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/sharedStrings.xml").unwrap(), &mut sheet).unwrap();
        assert!(sheet.contains(title), "{book}: title on the Summary sheet");
    }

    // $PAYRUN_STATE moves the base.
    let base = cwd.path().join("elsewhere");
    let moved = run_in(cwd.path(), &[("PAYRUN_STATE", &base)], &["--org", "RP6"]);
    assert_eq!(code(&moved), 0, "{}", stderr(&moved));
    assert!(base.join("RP6/ledger.sqlite").is_file());
    assert!(cwd.path().join("out/RP6/2025-06/manifest.json").is_file());
}

#[test]
fn org_never_starts_a_fresh_ledger_beside_an_existing_one() {
    let cwd = tempfile::tempdir().unwrap();
    // A centre that ran without --org has payrun-state/ledger.sqlite.
    let first = run_in(cwd.path(), &[], &[]);
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    let refused = run_in(cwd.path(), &[], &["--org", "RP5"]);
    assert_eq!(code(&refused), 2, "{}", stderr(&refused));
    let err = stderr(&refused);
    assert!(err.contains("payrun-state/ledger.sqlite") && err.contains("--state"), "{err}");
    assert!(!cwd.path().join("payrun-state/RP5").exists(), "no ledger created");
    assert!(!cwd.path().join("out/RP5").exists(), "no outputs written");

    // Moved into the organisation's folder, the history is used.
    std::fs::create_dir_all(cwd.path().join("payrun-state/RP5")).unwrap();
    std::fs::rename(
        cwd.path().join("payrun-state/ledger.sqlite"),
        cwd.path().join("payrun-state/RP5/ledger.sqlite"),
    )
    .unwrap();
    // It is the ledger of runs without --org (SPEC §12.4) until adopted.
    let unadopted = run_in(cwd.path(), &[], &["--org", "RP5"]);
    assert_eq!(code(&unadopted), 2, "{}", stderr(&unadopted));
    assert!(stderr(&unadopted).contains("ledger adopt"), "{}", stderr(&unadopted));
    let adopt = payrun_in(cwd.path(), &[], &["ledger", "adopt", "--org", "RP5"]);
    assert_eq!(code(&adopt), 0, "{}", stderr(&adopt));
    let moved = run_in(cwd.path(), &[], &["--org", "RP5"]);
    assert_eq!(code(&moved), 0, "{}", stderr(&moved));
    // Or an explicit --state is the operator's choice.
    let explicit = run_in(cwd.path(), &[], &["--org", "RP7", "--state", "payrun-state/RP7"]);
    assert_eq!(code(&explicit), 0, "{}", stderr(&explicit));
}

/// `ledger show` / `export` / `remove` look at the ledger a run with the same
/// `--state` / `$PAYRUN_STATE` / `--org` used.
#[test]
fn ledger_commands_find_the_ledger_a_run_used() {
    let cwd = tempfile::tempdir().unwrap();
    let shows = |env: &[(&str, &Path)], extra: &[&str]| {
        let mut args = vec!["ledger", "show"];
        args.extend_from_slice(extra);
        let out = payrun_in(cwd.path(), env, &args);
        (code(&out), String::from_utf8_lossy(&out.stdout).into_owned() + &stderr(&out))
    };
    // --org, no --state: payrun-state/NHSX.
    let ran = run_in(cwd.path(), &[], &["--org", "NHSX"]);
    assert_eq!(code(&ran), 0, "{}", stderr(&ran));
    let (status, text) = shows(&[], &["--org", "NHSX"]);
    assert_eq!(status, 0, "{text}");
    assert!(text.contains("payrun-state/NHSX/ledger.sqlite"), "{text}");
    assert!(text.contains("committed periods: 2025-06"), "{text}");
    // Without --org the default is unchanged: payrun-state, where no run wrote.
    let (status, text) = shows(&[], &[]);
    assert_ne!(status, 0, "{text}");
    assert!(text.contains("payrun-state/ledger.sqlite") && !text.contains("NHSX"), "{text}");
    assert_eq!(shows(&[], &["--org", "bad code"]).0, 2);
    let exported = cwd.path().join("export");
    let export = payrun_in(
        cwd.path(),
        &[],
        &["ledger", "export", "--org", "NHSX", "--out", exported.to_str().unwrap()],
    );
    assert_eq!(code(&export), 0, "{}", stderr(&export));
    assert!(std::fs::read_dir(&exported).unwrap().count() > 0);

    // $PAYRUN_STATE, with and without --org; --state wins over it.
    let base = cwd.path().join("elsewhere");
    let ran = run_in(cwd.path(), &[("PAYRUN_STATE", &base)], &[]);
    assert_eq!(code(&ran), 0, "{}", stderr(&ran));
    let (status, text) = shows(&[("PAYRUN_STATE", &base)], &[]);
    assert_eq!(status, 0, "{text}");
    assert!(
        text.contains("elsewhere/ledger.sqlite") && text.contains("committed periods: 2025-06"),
        "{text}"
    );
    let (status, text) = shows(&[("PAYRUN_STATE", &base)], &["--state", "payrun-state/NHSX"]);
    assert_eq!(status, 0, "{text}");
    assert!(text.contains("payrun-state/NHSX/ledger.sqlite"), "{text}");
    // An organisation's folder without a ledger beside the shared one: refused,
    // as `run --org` refuses it.
    let (status, text) = shows(&[("PAYRUN_STATE", &base)], &["--org", "RP5"]);
    assert_eq!(status, 2, "{text}");
    assert!(text.contains("elsewhere/ledger.sqlite holds a ledger"), "{text}");

    // remove, without --yes: names the organisation's ledger, removes nothing.
    let remove = payrun_in(cwd.path(), &[], &["ledger", "remove", "--org", "NHSX", "--period", "2025-06"]);
    assert_eq!(code(&remove), 2, "{}", stderr(&remove));
    assert!(stderr(&remove).contains("payrun-state/NHSX/ledger.sqlite"), "{}", stderr(&remove));
    let removed =
        payrun_in(cwd.path(), &[], &["ledger", "remove", "--org", "NHSX", "--period", "2025-06", "--yes"]);
    assert_eq!(code(&removed), 0, "{}", stderr(&removed));
    let (status, text) = shows(&[], &["--org", "NHSX"]);
    assert_eq!(status, 0, "{text}");
    assert!(text.contains("committed periods: none"), "{text}");
}
