//! SPEC §13: every workbook payrun writes — a run's two, a re-run's, the
//! insights workbook and the batch Control sheet — prints on the configured
//! paper with a "page x of y" footer and print titles, fitted to the page
//! width without going below 8 pt, its print area covering its charts, its
//! headings words, and the finding sheets frozen up to the name. Checked by
//! `tests/independent/print_setup.py`, which reads the xlsx XML itself.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn check(books: &[PathBuf], paper: &str) {
    assert!(!books.is_empty());
    for b in books {
        assert!(b.is_file(), "{} missing", b.display());
    }
    let o = Command::new("python3")
        .arg(root().join("tests/independent/print_setup.py"))
        .args(books)
        .env("PAPER", paper)
        .env("FROZEN", "ERROR,WARNING,INFO")
        .output()
        .expect("python3 is needed for this test");
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn xlsx(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .collect();
    v.sort();
    v
}

fn sample(dir: &Path, period: &str) -> PathBuf {
    let input = dir.join(format!("in-{period}"));
    let o = payrun(&[
        "sample",
        "--staff",
        "60",
        "--lines",
        "600",
        "--seed",
        "4",
        "--period",
        period,
        "--out",
        input.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    input
}

fn run(input: &Path, period: &str, out: &Path, state: &Path, extra: &[&str]) {
    let (roster, expenses) = (input.join("roster.xlsx"), input.join("expenses.xlsx"));
    let mut args = vec![
        "run",
        "--quiet",
        "--period",
        period,
        "--roster",
        roster.to_str().unwrap(),
        "--expenses",
        expenses.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--state",
        state.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = payrun(&args);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn every_workbook_of_a_month_a_rerun_and_insights_prints_on_a4() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let mut outs = Vec::new();
    for period in ["2025-05", "2025-06"] {
        let input = sample(dir.path(), period);
        let out = dir.path().join(format!("out-{period}"));
        run(&input, period, &out, &state, &[]);
        outs.push(out);
    }
    // A re-run of June: its payroll workbook opens with what to load.
    let rerun = dir.path().join("out-2025-06-again");
    run(&dir.path().join("in-2025-06"), "2025-06", &rerun, &state, &["--rerun"]);
    let insights = dir.path().join("insights");
    let o = payrun(&[
        "insights",
        "--quiet",
        "--out",
        insights.to_str().unwrap(),
        outs[0].to_str().unwrap(),
        outs[1].to_str().unwrap(),
        // The Reviews sheet too (SPEC §11.5).
        "--state",
        state.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut books = Vec::new();
    for d in outs.iter().chain([&rerun, &insights]) {
        books.extend(xlsx(d));
    }
    assert_eq!(books.len(), 7, "{books:?}");
    check(&books, "9");
}

#[test]
fn letter_from_the_config_and_the_batch_control_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    let policy = std::fs::read_to_string(root().join("config/policy.toml")).unwrap();
    assert!(policy.contains("paper = \"A4\""));
    std::fs::write(config.join("policy.toml"), policy.replace("paper = \"A4\"", "paper = \"Letter\""))
        .unwrap();
    std::fs::copy(root().join("config/columns.toml"), config.join("columns.toml")).unwrap();
    let input = sample(dir.path(), "2025-06");
    let plan = dir.path().join("plan.toml");
    std::fs::write(
        &plan,
        format!(
            "period = \"2025-06\"\nout = \"out/{{org}}/{{period}}\"\nstate = \"state/{{org}}\"\n\n\
             [[org]]\ncode = \"RX1\"\nroster = \"{}\"\nexpenses = [\"{}\"]\nconfig = \"config\"\n",
            input.join("roster.xlsx").display(),
            input.join("expenses.xlsx").display()
        ),
    )
    .unwrap();
    let o = payrun(&["batch", plan.to_str().unwrap(), "--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut books = xlsx(&dir.path().join("out/RX1/2025-06"));
    books.extend(xlsx(dir.path()));
    assert_eq!(books.len(), 3, "{books:?}");
    check(&books, "1");
    // insights reads the paper from --config.
    let insights = dir.path().join("insights");
    let o = payrun(&[
        "insights",
        "--quiet",
        "--config",
        config.to_str().unwrap(),
        "--out",
        insights.to_str().unwrap(),
        dir.path().join("out/RX1/2025-06").to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    check(&xlsx(&insights), "1");
}
