//! Shared helpers for the integration tests: run the binary, read its CSVs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(rel: &str) -> PathBuf {
    root().join("tests/fixtures").join(rel)
}

/// Runs `payrun` with the given arguments (config defaults to the bundled one).
pub fn payrun(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_payrun"))
        .current_dir(root())
        .args(args)
        .output()
        .expect("payrun binary runs")
}

/// The state folder [`run_period`] uses for `out`: beside it, never inside
/// (each run replaces its output folder as a whole).
pub fn state_for(out: &Path) -> PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    out.with_file_name(format!("{name}.state"))
}

/// `payrun run --quiet` for `period` into `out` (a folder inside a test's
/// temporary folder), with extra args.
pub fn run_period(period: &str, roster: &Path, expenses: &[&Path], out: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<String> = vec![
        "run".into(),
        "--quiet".into(),
        "--period".into(),
        period.into(),
        "--roster".into(),
        roster.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--state".into(),
        state_for(out).display().to_string(),
    ];
    for e in expenses {
        args.push("--expenses".into());
        args.push(e.display().to_string());
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    payrun(&refs)
}

pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A CSV file as a header plus rows of strings.
pub struct Csv {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Csv {
    pub fn read(path: &Path) -> Csv {
        let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let header = r.headers().expect("header").iter().map(String::from).collect();
        let rows = r.records().map(|rec| rec.expect("record").iter().map(String::from).collect()).collect();
        Csv { header, rows }
    }

    pub fn col(&self, name: &str) -> usize {
        self.header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"))
    }

    /// The value of `name` in the row where `key_col` = `key` (first match).
    pub fn get(&self, row: &[String], name: &str) -> String {
        row[self.col(name)].clone()
    }

    pub fn find(&self, pairs: &[(&str, &str)]) -> Vec<&Vec<String>> {
        self.rows.iter().filter(|r| pairs.iter().all(|(c, v)| r[self.col(c)] == *v)).collect()
    }
}

pub mod inputs;
pub mod tmpfs;

/// A fresh folder for one run's outputs, inside a temporary folder of its
/// own so that the state folder [`run_period`] puts beside it is removed
/// with it.
pub struct OutDir {
    _parent: tempfile::TempDir,
    path: PathBuf,
}

impl OutDir {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

pub fn out_dir() -> OutDir {
    let parent = tempfile::tempdir().expect("a temporary folder");
    let path = parent.path().join("out");
    std::fs::create_dir(&path).expect("an output folder");
    OutDir { _parent: parent, path }
}
