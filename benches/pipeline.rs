//! Stage benchmarks on generated data (see docs/performance.md for the scale run):
//! ingest of the xlsx workbooks, rule evaluation in memory, CSV writing.
//! `cargo bench --no-run` in CI keeps them compiling.

use criterion::{criterion_group, criterion_main, Criterion};
use payrun::config::Config;
use payrun::engine::{self, Ctx};
use payrun::model::history::History;
use payrun::model::period::Period;
use payrun::output::{csv as out_csv, payroll, Report};
use payrun::sample::{generate, SampleOptions};
use std::path::PathBuf;

fn data() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let period = chrono::NaiveDate::from_ymd_opt(2025, 6, 1).expect("date");
    let summary = generate(&SampleOptions {
        staff: 500,
        lines: 20_000,
        seed: 7,
        out: dir.path().to_path_buf(),
        period,
    })
    .expect("sample data");
    (dir, summary.roster, summary.expenses)
}

fn stages(c: &mut Criterion) {
    let config = Config::load(&Config::default_dir()).expect("config");
    let (_dir, roster, expenses) = data();
    let period = Period::new(chrono::NaiveDate::from_ymd_opt(2025, 6, 1).expect("date"), &config.policy);
    let mut group = c.benchmark_group("stages");
    group.sample_size(10);
    group.bench_function("ingest_xlsx_20k_lines", |b| {
        b.iter(|| payrun::ingest::load(&roster, std::slice::from_ref(&expenses), &config).expect("ingest"))
    });
    let inputs = payrun::ingest::load(&roster, std::slice::from_ref(&expenses), &config).expect("ingest");
    let history = History::default();
    let ctx = Ctx::new(&config, period, &inputs.roster, &history);
    group.bench_function("rules_20k_lines", |b| b.iter(|| engine::evaluate(&inputs.claims, &ctx)));
    let evaluation = engine::evaluate(&inputs.claims, &ctx);
    let report = Report {
        period,
        config: &config,
        lines: &inputs.claims,
        decisions: &evaluation.decisions,
        findings: &evaluation.findings,
        staff: &ctx.staff,
        attendance: &[],
        protection: &Default::default(),
        p11d: &[],
    };
    group.bench_function("write_csv_20k_lines", |b| {
        b.iter(|| {
            let mut sink = Vec::with_capacity(4 << 20);
            out_csv::decisions(&mut sink, &report).expect("csv");
            out_csv::exceptions(&mut sink, &report).expect("csv");
            let rows = payroll::expense_rows(&inputs.claims, &evaluation.decisions, &ctx.staff);
            out_csv::adjustments(&mut sink, &report, &rows).expect("csv");
            sink
        })
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
