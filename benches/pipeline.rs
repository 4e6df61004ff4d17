//! Stage benchmarks on generated data (issue 8; the scale run and the I/O
//! floor are in docs/performance.md): ingest of the xlsx workbooks and of a
//! CSV Claims export, rule evaluation in memory, CSV and xlsx writing, and
//! the ledger commit. Sizes are moderate (20,000 claim lines, 500 staff) so
//! `cargo bench` finishes in a few minutes; `cargo bench --no-run` in CI
//! keeps them compiling.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use payrun::config::Config;
use payrun::ingest::{claims, source::Input};
use payrun::ledger::Ledger;
use payrun::model::history::History;
use payrun::model::period::Period;
use payrun::output::manifest::Manifest;
use payrun::output::{csv as out_csv, interface, reconcile, workbook, Report};
use payrun::rules::{self, engine, state::Ctx};
use payrun::sample::{generate, SampleOptions};
use std::path::{Path, PathBuf};

const LINES: usize = 20_000;

fn period_start() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2025, 6, 1).expect("date")
}

/// A generated month: (folder, roster.xlsx, expenses.xlsx, expenses.csv).
fn data() -> (tempfile::TempDir, PathBuf, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = generate(&SampleOptions {
        staff: 500,
        lines: LINES,
        seed: 7,
        out: dir.path().to_path_buf(),
        period: period_start(),
    })
    .expect("sample data");
    let csv = dir.path().join("expenses.csv");
    claims_as_csv(&summary.expenses, &csv);
    (dir, summary.roster, summary.expenses, csv)
}

/// The Claims sheet re-saved as CSV, as an e-expenses system might export it
/// (dates and times as serial numbers, which the CSV reader accepts).
fn claims_as_csv(xlsx: &Path, csv: &Path) {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(xlsx).expect("open");
    let range = book.worksheet_range("Claims").expect("Claims");
    let mut w = ::csv::Writer::from_path(csv).expect("csv");
    for row in range.rows() {
        w.write_record(row.iter().map(|c| c.to_string())).expect("row");
    }
    w.flush().expect("flush");
}

fn stages(c: &mut Criterion) {
    let config = Config::load(&Config::default_dir()).expect("config");
    let (_dir, roster, expenses, expenses_csv) = data();
    let period = Period::new(period_start(), &config.policy);
    let mut group = c.benchmark_group("stages");
    group.sample_size(10);

    group.bench_function("ingest_xlsx_20k_lines", |b| {
        b.iter(|| {
            payrun::ingest::load(
                &roster,
                std::slice::from_ref(&expenses),
                &config,
                || {},
                std::sync::Arc::new(payrun::model::progress::Silent),
            )
            .expect("ingest")
        })
    });
    let limits = &config.policy.limits;
    group.bench_function("ingest_claims_xlsx_20k_lines", |b| {
        b.iter(|| {
            let mut input = Input::open(&expenses, "Claims", limits).expect("open");
            claims::read(&mut input, &config.columns).expect("claims")
        })
    });
    group.bench_function("ingest_claims_csv_20k_lines", |b| {
        b.iter(|| {
            let mut input = Input::open(&expenses_csv, "Claims", limits).expect("open");
            claims::read(&mut input, &config.columns).expect("claims")
        })
    });

    let inputs = payrun::ingest::load(
        &roster,
        std::slice::from_ref(&expenses),
        &config,
        || {},
        std::sync::Arc::new(payrun::model::progress::Silent),
    )
    .expect("ingest");
    let history = History::default();
    let ctx = Ctx::new(&config, period, &inputs.roster, &history);
    group.bench_function("rules_20k_lines", |b| {
        b.iter(|| engine::evaluate(&inputs.claims, &ctx).expect("rules"))
    });

    let outcome = rules::evaluate(&ctx, &inputs.claims, inputs.roster_findings.clone(), Default::default())
        .expect("rules");
    let rows = &outcome.adjustments;
    let report = Report {
        organisation: None,
        period,
        config: &config,
        lines: &inputs.claims,
        decisions: &outcome.decisions,
        findings: &outcome.findings,
        staff: &ctx.staff,
        attendance: &[],
        absence: &Default::default(),
        kit: &[],
        marks: &Default::default(),
        protection: &[],
        p11d: &[],
        finding_ids: &[],
        reviews: &Default::default(),
    };
    group.bench_function("write_csv_20k_lines", |b| {
        b.iter(|| {
            let mut sink = Vec::with_capacity(4 << 20);
            out_csv::decisions(&mut sink, &report).expect("csv");
            out_csv::exceptions(&mut sink, &report).expect("csv");
            out_csv::adjustments(&mut sink, &report, rows).expect("csv");
            out_csv::deferred(&mut sink, &report).expect("csv");
            sink
        })
    });

    let reconciliation = reconcile::check(&inputs.claims, &outcome.decisions, rows);
    let manifest = Manifest {
        tool: "payrun",
        version: "bench",
        organisation: None,
        period: period.label(),
        activity_month: String::new(),
        cutoff: String::new(),
        config_dir: String::new(),
        config_hash: config.hash.clone(),
        inputs: Vec::new(),
        lines_by_status: Default::default(),
        findings_by_severity: Default::default(),
        findings_by_rule: Default::default(),
        settled_before: 0,
        reconciliation,
        timings_ms: Vec::new(),
        outputs: Vec::new(),
        run_id: String::new(),
        payroll_interface: Default::default(),
        corrects: None,
        reviews: Default::default(),
    };
    let interface = interface::Interface {
        batch: interface::element_batch(
            rows,
            &config,
            interface::BatchHeader {
                name: "PAYRUN EXPENSES bench".into(),
                reference: String::new(),
                source: "payrun".into(),
                action_if_exists: "CREATE_NEW",
                effective_date: period.pay_start,
            },
        ),
        corrections: None,
    };
    let out = tempfile::tempdir().expect("tempdir");
    group.bench_function("write_xlsx_20k_lines", |b| {
        b.iter(|| {
            workbook::write_adjustments(&out.path().join("a.xlsx"), &report, rows, &manifest, &interface)
                .expect("xlsx");
            workbook::write_exceptions(&out.path().join("e.xlsx"), &report).expect("xlsx");
        })
    });

    // The rules' complete record (every family), as a run commits it.
    let record = || outcome.record.clone();
    group.bench_function("ledger_commit_20k_lines", |b| {
        b.iter_batched(
            || {
                let state = tempfile::tempdir().expect("tempdir");
                let ledger = Ledger::open(state.path()).expect("ledger");
                (state, ledger, record())
            },
            |(state, mut ledger, record)| {
                ledger.commit(&record, "{}").expect("commit");
                (state, ledger)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
