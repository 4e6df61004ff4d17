use super::*;
use crate::config::{COLUMNS_FILE, POLICY_FILE};
use std::path::Path;

fn config_with(interface: &str) -> Config {
    let bundled = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("config");
    let dir = tempfile::tempdir().unwrap();
    let policy = std::fs::read_to_string(bundled.join(POLICY_FILE)).unwrap();
    std::fs::write(dir.path().join(POLICY_FILE), format!("{policy}\n{interface}\n")).unwrap();
    std::fs::copy(bundled.join(COLUMNS_FILE), dir.path().join(COLUMNS_FILE)).unwrap();
    Config::load(dir.path()).unwrap()
}

fn bundled() -> Config {
    config_with("")
}

fn row(assignment: &str, element: &'static str, units: &str, rate: &str, pence: i64) -> AdjustmentRow {
    AdjustmentRow {
        assignment: assignment.into(),
        name: format!("Name {assignment}"),
        cost_centre: "CC1".into(),
        element,
        units: units.into(),
        rate: rate.into(),
        amount: Pence(pence),
        taxable: false,
        ni_able: false,
        protected: String::new(),
        protection_end: String::new(),
        source: format!("{assignment}/{element}"),
    }
}

fn header(name: &str) -> BatchHeader {
    BatchHeader {
        name: name.into(),
        reference: "0123456789ab".into(),
        source: "payrun".into(),
        action_if_exists: "CREATE_NEW",
        effective_date: NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
    }
}

fn csv_text(write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    write(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn sample_rows() -> Vec<AdjustmentRow> {
    vec![
        row("E1", "MILEAGE", "3", "", 4_550),
        row("E1", "UNPAID_LEAVE", "7.50", "15.20", -11_400),
        row("E2", "MILEAGE", "1", "", 1_000),
        row("E2", "TRAVEL", "2", "", 0),
        row("E2", "SUNDRY_TAXABLE", "1", "", 250),
    ]
}

#[test]
fn one_line_per_non_zero_row_in_order_with_config_names_and_dates() {
    let config = bundled();
    let batch = element_batch(&sample_rows(), &config, header("PAYRUN EXPENSES 2025-06"));
    let got: Vec<(usize, &str, &str, Pence)> = batch
        .lines
        .iter()
        .map(|l| (l.line_no, l.assignment.as_str(), l.element_name.as_str(), batch.amount_of(l)))
        .collect();
    assert_eq!(
        got,
        [
            (1, "E1", "Mileage", Pence(4_550)),
            (2, "E1", "Unpaid leave deduction", Pence(-11_400)),
            (3, "E2", "Mileage", Pence(1_000)),
            (4, "E2", "Sundry expenses (taxable)", Pence(250)),
        ]
    );
    assert!(check(&batch, &sample_rows()).is_empty());
    let text = csv_text(|w| write_lines(w, &batch));
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "batch_name,line_no,assignment,element_name,effective_date,value_1,value_2,value_3,value_4,value_5,\
         value_6,value_7,value_8,value_9,value_10,value_11,value_12,value_13,value_14,value_15,protected,source"
    );
    assert_eq!(
        lines.next().unwrap(),
        "PAYRUN EXPENSES 2025-06,1,E1,Mileage,2025-06-01,45.50,,,,,,,,,,,,,,,,E1/MILEAGE"
    );
    assert_eq!(
        lines.next().unwrap(),
        "PAYRUN EXPENSES 2025-06,2,E1,Unpaid leave deduction,2025-06-01,-114.00,,,,,,,,,,,,,,,,E1/UNPAID_LEAVE"
    );
    assert_eq!(text.lines().count(), 5);
}

#[test]
fn control_totals_are_exact_and_signed() {
    let batch = element_batch(&sample_rows(), &bundled(), header("B"));
    let controls: Vec<(&str, &str)> =
        batch.controls.iter().map(|c| (c.control_type.as_str(), c.total.as_str())).collect();
    assert_eq!(
        controls,
        [
            ("Total Lines", "4"),
            ("Total Pay Value", "-56.00"),
            ("Total Pay Value: Mileage", "55.50"),
            ("Total Pay Value: Sundry expenses (taxable)", "2.50"),
            ("Total Pay Value: Unpaid leave deduction", "-114.00"),
        ]
    );
    let text = csv_text(|w| write_controls(w, &batch));
    assert_eq!(text.lines().next(), Some("batch_name,control_type,control_total"));
    assert_eq!(text.lines().nth(2), Some("B,Total Pay Value,-56.00"));
    // An empty batch: zero lines, zero money, no element rows.
    let empty = element_batch(&[], &bundled(), header("B"));
    assert_eq!(empty.controls.len(), 2);
    assert_eq!((empty.controls[0].total.as_str(), empty.controls[1].total.as_str()), ("0", "0.00"));
}

#[test]
fn unpaid_leave_carries_pay_value_hours_and_rate() {
    let config = config_with(
        "[payroll_interface.inputs]\n\
         UNPAID_LEAVE = [[\"Hours\", \"units\"], [\"Pay Value\", \"amount\"], [\"Rate\", \"rate\"]]\n\
         MILEAGE = [[\"Amount\", \"amount\"], [\"Claims\", \"units\"]]",
    );
    let batch = element_batch(&sample_rows(), &config, header("B"));
    let leave = &batch.lines[1];
    assert_eq!(
        leave.values,
        [Value::Text("7.50".into()), Value::Money(Pence(-11_400)), Value::Text("15.20".into())]
    );
    let names: Vec<&str> = batch.inputs_of(leave).iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["Hours", "Pay Value", "Rate"]);
    assert_eq!(batch.amount_of(leave), Pence(-11_400));
    assert_eq!(batch.lines[0].values, [Value::Money(Pence(4_550)), Value::Text("3".into())]);
    let text = csv_text(|w| write_lines(w, &batch));
    assert!(text.contains("\nB,2,E1,Unpaid leave deduction,2025-06-01,7.50,-114.00,15.20,,"), "{text}");
    // Each amount-fed name has its own total.
    let types: Vec<&str> = batch.controls.iter().map(|c| c.control_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "Total Lines",
            "Total Amount",
            "Total Pay Value",
            "Total Amount: Mileage",
            "Total Pay Value: Sundry expenses (taxable)",
            "Total Pay Value: Unpaid leave deduction",
        ]
    );
    assert!(check(&batch, &sample_rows()).is_empty());
}

#[test]
fn effective_date_is_the_one_given() {
    let mut h = header("B");
    h.effective_date = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
    let batch = element_batch(&sample_rows(), &bundled(), h);
    assert!(batch.lines.iter().all(|l| l.effective_date.to_string() == "2025-06-30"));
}

#[test]
fn a_batch_not_matching_its_adjustments_fails_reconciliation() {
    let rows = sample_rows();
    let good = element_batch(&rows, &bundled(), header("B"));
    assert!(check(&good, &rows).is_empty());

    let mut changed = good.clone();
    changed.lines[0].values[0] = Value::Money(Pence(4_551));
    let failures = check(&changed, &rows);
    assert!(failures.iter().any(|f| f.contains("does not match")), "{failures:?}");
    assert!(failures.iter().any(|f| f.contains("control totals")), "{failures:?}");

    let mut dropped = good.clone();
    dropped.lines.pop();
    dropped.controls = controls(&dropped.lines, &dropped.layouts);
    assert!(check(&dropped, &rows).iter().any(|f| f.contains("3 lines but adjustments.csv has 4")));

    let mut total = good.clone();
    total.controls[1].total = "0.00".into();
    assert_eq!(check(&total, &rows).len(), 1);
}

#[test]
fn corrections_cover_removed_changed_and_new_rows() {
    let placed = vec![
        ("E1".to_string(), "MILEAGE".to_string(), Pence(4_550)),
        ("E1".to_string(), "UNPAID_LEAVE".to_string(), Pence(-7_600)),
        ("E2".to_string(), "MILEAGE".to_string(), Pence(1_000)),
        ("E3".to_string(), "TRAVEL".to_string(), Pence(900)),
    ];
    let now = sample_rows();
    let rows = corrections(&placed, &now, |a| format!("Name {a}"));
    let got: Vec<(&str, &str, Pence, Pence, Pence)> = rows
        .iter()
        .map(|r| (r.assignment.as_str(), r.element.as_str(), r.committed, r.now, r.delta))
        .collect();
    assert_eq!(
        got,
        [
            ("E1", "UNPAID_LEAVE", Pence(-7_600), Pence(-11_400), Pence(-3_800)),
            ("E2", "SUNDRY_TAXABLE", Pence::ZERO, Pence(250), Pence(250)),
            ("E3", "TRAVEL", Pence(900), Pence::ZERO, Pence(-900)),
        ]
    );
    let committed: Pence = placed.iter().map(|p| p.2).sum();
    let current: Pence = now.iter().map(|r| r.amount).sum();
    assert_eq!(rows.iter().map(|r| r.delta).sum::<Pence>(), current - committed);

    let config = config_with("[payroll_interface.correction_elements]\nTRAVEL = \"Travel arrears\"");
    let batch = correction_batch(&rows, &now, &config, header("PAYRUN CORRECTIONS 2025-06 INTO 2025-07"));
    assert!(check_corrections(&batch, &rows, &placed, &now).is_empty());
    let names: Vec<&str> = batch.lines.iter().map(|l| l.element_name.as_str()).collect();
    assert_eq!(names, ["Unpaid leave deduction", "Sundry expenses (taxable)", "Travel arrears"]);
    assert_eq!(batch.total(), Pence(-4_450));
    // The removed row's line has no current source; a changed one keeps it.
    assert_eq!((batch.lines[0].source.as_str(), batch.lines[2].source.as_str()), ("E1/UNPAID_LEAVE", ""));

    let text = csv_text(|w| write_corrections(w, "2025-06", &rows, &config));
    assert_eq!(
        text,
        "period,assignment,name,element,committed,now,delta\n\
         2025-06,E1,Name E1,Unpaid leave deduction,-76.00,-114.00,-38.00\n\
         2025-06,E2,Name E2,Sundry expenses (taxable),0.00,2.50,2.50\n\
         2025-06,E3,Name E3,Travel expenses,9.00,0.00,-9.00\n"
    );

    let mut wrong = batch.clone();
    wrong.lines[0].values[0] = Value::Money(Pence(-3_700));
    wrong.controls = controls(&wrong.lines, &wrong.layouts);
    assert!(!check_corrections(&wrong, &rows, &placed, &now).is_empty());
    let mut short = rows.clone();
    short.pop();
    assert!(check_corrections(&batch, &short, &placed, &now).iter().any(|f| f.contains("Σ delta")));
}

#[test]
fn identical_results_make_no_corrections() {
    let now = sample_rows();
    let placed: Vec<(String, String, Pence)> = now
        .iter()
        .filter(|r| !r.amount.is_zero())
        .map(|r| (r.assignment.clone(), r.element.to_string(), r.amount))
        .collect();
    let rows = corrections(&placed, &now, |_| String::new());
    assert!(rows.is_empty());
    let batch = correction_batch(&rows, &now, &bundled(), header("C"));
    assert!(batch.lines.is_empty());
    assert_eq!(csv_text(|w| write_lines(w, &batch)).lines().count(), 1);
    assert!(check_corrections(&batch, &rows, &placed, &now).is_empty());
}
