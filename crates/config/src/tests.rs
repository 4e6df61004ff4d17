use super::*;
use crate::model::money::{Miles, Pence};
use crate::model::AuthLevel;
use chrono::{Datelike, NaiveDate, NaiveTime, TimeDelta, Weekday};
use std::collections::BTreeMap;

fn bundled_dir() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("config")
}

fn bundled() -> Config {
    match Config::load(&bundled_dir()) {
        Ok(config) => config,
        Err(err) => panic!("bundled config does not load: {err}"),
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn bundled_policy_text() -> String {
    std::fs::read_to_string(bundled_dir().join(POLICY_FILE)).unwrap()
}

fn bundled_columns_text() -> String {
    std::fs::read_to_string(bundled_dir().join(COLUMNS_FILE)).unwrap()
}

/// Writes a config directory with the given files and loads it.
fn load_with(policy: &str, columns: &str) -> (tempfile::TempDir, crate::error::Result<Config>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(POLICY_FILE), policy).unwrap();
    std::fs::write(dir.path().join(COLUMNS_FILE), columns).unwrap();
    let loaded = Config::load(dir.path());
    (dir, loaded)
}

fn load_policy(policy: &str) -> crate::error::Result<Config> {
    load_with(policy, &bundled_columns_text()).1
}

/// The message of a config error, or a panic naming what loaded instead.
fn config_error_message(result: crate::error::Result<Config>) -> String {
    match result {
        Err(Error::Config { message, .. }) => message,
        Err(other) => panic!("expected a configuration error, got {other:?}"),
        Ok(_) => panic!("expected a configuration error, the config loaded"),
    }
}

/// A second rate period from `from`, with different mileage rates.
fn rate_period(from: &str, lower: &str) -> String {
    let policy = bundled_policy_text();
    let start = policy.find("\n[[rates]]").unwrap();
    let end = policy[start..].find("\n[pay]").unwrap() + start;
    policy[start..end]
        .replace("effective_from = 2014-06-01", &format!("effective_from = {from}"))
        .replace("lower = \"0.25\"", &format!("lower = \"{lower}\""))
}

#[test]
fn bundled_config_loads_with_the_spec_figures() {
    let config = bundled();
    let policy = &config.policy;
    assert_eq!(policy.claims.max_line_amount, Pence(500_000));
    assert_eq!(policy.claims.cutoff_working_days, 3);
    assert_eq!(policy.claims.max_age_months, 3);
    assert_eq!(policy.claims.route_tolerance.mul_floor(100), 110);
    assert_eq!(policy.claims.mileage_excess, MileageExcess::P11d);
    assert_eq!(policy.claims.relocation_p11d_exempt, Pence::ZERO);

    let rates = policy.rates_on(date(2025, 5, 14));
    assert_eq!(rates.mileage.lower, Pence(25));
    assert_eq!(rates.mileage.special, Pence(56));
    assert_eq!(rates.mileage.special_after_threshold, Pence(20));
    assert_eq!(rates.mileage.special_rate_threshold_miles, Miles(35_000));
    assert_eq!(rates.mileage.lease, Pence(14));
    assert_eq!(rates.mileage.motorcycle, Pence(16));
    assert_eq!(rates.mileage.bicycle, Pence(10));
    assert_eq!(rates.mileage.passenger, Pence(2));
    assert_eq!(rates.amap.car, Pence(45));
    assert_eq!(rates.amap.car_after_threshold, Pence(25));
    assert_eq!(rates.amap.car_threshold_miles, Miles(100_000));
    assert_eq!(rates.amap.motorcycle, Pence(24));
    assert_eq!(rates.amap.bicycle, Pence(20));
    assert_eq!(rates.amap.passenger, Pence(5));
    let caps = &rates.subsistence;
    assert_eq!(caps.hotel, Pence(8_000));
    assert_eq!(caps.hotel_london, Pence(11_000));
    assert_eq!(caps.non_commercial_overnight, Pence(2_500));
    assert_eq!(caps.overnight_meals, Pence(2_000));
    assert_eq!(caps.day_meal, Pence(500));
    assert_eq!(caps.evening_meal, Pence(1_500));
    assert_eq!(caps.incidental, Pence(450));
    assert_eq!(caps.daily_total, Pence(2_950));
    assert_eq!(rates.relocation.total, Pence(800_000));
    assert_eq!(rates.relocation.misc, Pence(100_000));

    let sub = &policy.subsistence;
    assert_eq!(sub.day_meal_min_away, TimeDelta::hours(5));
    assert_eq!(sub.day_meal_covers_from, NaiveTime::from_hms_opt(12, 0, 0).unwrap());
    assert_eq!(sub.day_meal_covers_to, NaiveTime::from_hms_opt(14, 0, 0).unwrap());
    assert_eq!(sub.evening_meal_min_away, TimeDelta::hours(10));
    assert_eq!(sub.evening_meal_return_not_before, NaiveTime::from_hms_opt(19, 0, 0).unwrap());
    assert_eq!(policy.travel.taxi_authorisation, AuthLevel::CareGroupDirector);
    assert_eq!(policy.travel.air_authorisation, AuthLevel::ExecutiveDirector);
    assert_eq!(policy.travel.hospitality_authorisation, AuthLevel::ChiefExecutive);

    assert_eq!(policy.pay.weeks_per_year, Ratio { numerator: 52_143, denominator: 1_000 });
    assert_eq!(policy.pay.full_time_weekly_hours, Ratio { numerator: 375, denominator: 10 });
    assert_eq!(policy.leave.bereavement_immediate_days, 6);
    assert_eq!(policy.leave.emergency_full_time_hours, 45);
    assert_eq!(policy.leave.magisterial_days, 18);
    assert_eq!(policy.sickness.bradford_triggers, vec![150, 500, 875]);
    assert_eq!(policy.limits.max_file_bytes, 1 << 30);
    assert_eq!(policy.limits.max_rows, 5_000_000);
    assert_eq!(policy.limits.max_cell_chars, 32_767);
    assert_eq!(policy.elements.display_name("UNPAID_LEAVE"), Some("Unpaid leave deduction"));
    assert_eq!(policy.elements.display_name("PAY_PROTECTION"), Some("Pay protection top-up"));
    assert_eq!(config.hash.len(), 64);
}

#[test]
fn every_key_of_the_shipped_policy_is_understood() {
    // deny_unknown_fields everywhere: loading at all proves every key is read.
    // Also check nothing is silently left to a default by re-reading the
    // file as plain TOML and comparing the table names.
    let raw: toml::Table = toml::from_str(&bundled_policy_text()).unwrap();
    let sections: Vec<&str> = raw.keys().map(String::as_str).collect();
    assert_eq!(
        sections,
        [
            "calendar",
            "claims",
            "elements",
            "leave",
            "limits",
            "pay",
            "protection",
            "rates",
            "review",
            "sickness",
            "sites",
            "subsistence",
            "travel",
            "workbooks"
        ]
    );
    bundled();
}

#[test]
fn hash_covers_both_files_in_order() {
    let config = bundled();
    let mut bytes = std::fs::read(bundled_dir().join(POLICY_FILE)).unwrap();
    bytes.extend(std::fs::read(bundled_dir().join(COLUMNS_FILE)).unwrap());
    assert_eq!(config.hash, format!("{:x}", Sha256::digest(&bytes)));
}

#[test]
fn bank_holidays_and_working_days() {
    let policy = bundled().policy;
    assert!(policy.is_bank_holiday(date(2025, 5, 26)));
    assert!(!policy.is_bank_holiday(date(2025, 5, 27)));
    assert!(policy.is_bank_holiday(date(2023, 5, 8)), "coronation");
    assert!(policy.is_bank_holiday(date(2026, 12, 28)), "Boxing Day substitute");
    assert!(policy.is_working_day(date(2025, 5, 27)));
    assert!(!policy.is_working_day(date(2025, 5, 26)));
    assert!(!policy.is_working_day(date(2025, 5, 24)), "Saturday");
    assert!(!policy.is_working_day(date(2025, 5, 25)), "Sunday");
}

#[test]
fn bank_holidays_fall_on_weekdays_eight_a_year_nine_in_2023() {
    let policy = bundled().policy;
    let mut per_year: BTreeMap<i32, usize> = BTreeMap::new();
    for d in &policy.calendar.bank_holidays {
        assert!(!matches!(d.weekday(), Weekday::Sat | Weekday::Sun), "{d} is a weekend day");
        *per_year.entry(d.year()).or_default() += 1;
    }
    let expected: BTreeMap<i32, usize> = [(2023, 9), (2024, 8), (2025, 8), (2026, 8), (2027, 8)].into();
    assert_eq!(per_year, expected);
    let bh2025: Vec<NaiveDate> =
        policy.calendar.bank_holidays.iter().copied().filter(|d| d.year() == 2025).collect();
    assert_eq!(
        bh2025,
        [
            date(2025, 1, 1),
            date(2025, 4, 18),
            date(2025, 4, 21),
            date(2025, 5, 5),
            date(2025, 5, 26),
            date(2025, 8, 25),
            date(2025, 12, 25),
            date(2025, 12, 26)
        ]
    );
}

#[test]
fn protection_bands_follow_spec_3_12() {
    let protection = bundled().policy.protection;
    let short: Vec<u32> = (0..8).map(|y| protection.short.months_for(y)).collect();
    assert_eq!(short, [2, 2, 3, 4, 5, 6, 6, 6]);
    let long: Vec<u32> = [0, 5, 6, 9, 10, 30].iter().map(|y| protection.long.months_for(*y)).collect();
    assert_eq!(long, [6, 6, 12, 12, 24, 24]);
}

#[test]
fn bradford_stages() {
    let sickness = bundled().policy.sickness;
    assert_eq!(sickness.bradford_stage(149), 0);
    assert_eq!(sickness.bradford_stage(150), 1);
    assert_eq!(sickness.bradford_stage(874), 2);
    assert_eq!(sickness.bradford_stage(875), 3);
}

#[test]
fn word_lists_match_whole_words_any_case() {
    let policy = bundled().policy;
    assert!(policy.subsistence.alcohol_words.matches("Dinner + glass of WINE"));
    assert!(policy.subsistence.alcohol_words.matches("ginger ale"));
    assert!(policy.subsistence.alcohol_words.matches("beer-battered fish"));
    assert!(!policy.subsistence.alcohol_words.matches("Winery tour, gingerbread"));
    assert!(policy.travel.fine_words.matches("PCN issued at DRI"));
    assert!(!policy.travel.fine_words.matches("Refined route, finesse"));
    assert!(policy.is_trust_site(" dri "));
    assert!(!policy.is_trust_site("LEEDS"));
}

#[test]
fn unknown_key_is_an_error_naming_it() {
    let policy = bundled_policy_text().replace("[claims]\n", "[claims]\nmax_line_amont = \"1.00\"\n");
    let message = config_error_message(load_policy(&policy));
    assert!(message.contains("max_line_amont"), "{message}");
    assert!(message.contains("claims."), "{message}");
}

#[test]
fn unknown_key_inside_a_rate_period_is_named_with_its_index() {
    let policy = bundled_policy_text().replace("hotel = \"80.00\"", "hotel = \"80.00\"\nhostel = \"9.00\"");
    let message = config_error_message(load_policy(&policy));
    assert!(message.contains("rates[0].subsistence.hostel"), "{message}");
}

#[test]
fn negative_cap_is_an_error_naming_the_key() {
    let policy = bundled_policy_text().replace("hotel = \"80.00\"", "hotel = \"-80.00\"");
    let message = config_error_message(load_policy(&policy));
    assert!(message.contains("rates[0].subsistence.hotel"), "{message}");
    assert!(message.contains("negative"), "{message}");
}

#[test]
fn negative_plain_money_is_an_error_naming_the_key() {
    let policy = bundled_policy_text()
        .replace("relocation_p11d_exempt = \"0.00\"", "relocation_p11d_exempt = \"-1.00\"");
    let message = config_error_message(load_policy(&policy));
    assert!(message.starts_with("claims.relocation_p11d_exempt: must not be negative"), "{message}");
}

#[test]
fn money_as_a_bare_number_is_refused() {
    let policy = bundled_policy_text().replace("day_meal = \"5.00\"", "day_meal = 5");
    let message = config_error_message(load_policy(&policy));
    assert!(message.contains("rates[0].subsistence.day_meal"), "{message}");
}

#[test]
fn two_rate_periods_on_the_same_date_are_an_error() {
    let policy = format!("{}\n{}", bundled_policy_text(), rate_period("2014-06-01", "0.30"));
    let message = config_error_message(load_policy(&policy));
    assert!(message.contains("rates[1].effective_from"), "{message}");
}

#[test]
fn rates_on_picks_the_period_in_force_around_a_change() {
    let policy = format!("{}\n{}", bundled_policy_text(), rate_period("2025-07-01", "0.28"));
    let config = load_policy(&policy).unwrap();
    let policy = &config.policy;
    assert_eq!(policy.rates_on(date(2025, 6, 30)).mileage.lower, Pence(25));
    assert_eq!(policy.rates_on(date(2025, 7, 1)).mileage.lower, Pence(28));
    assert_eq!(policy.rates_on(date(2030, 1, 1)).mileage.lower, Pence(28));
    // Before every period: the earliest.
    assert_eq!(policy.rates_on(date(2000, 1, 1)).mileage.lower, Pence(25));
}

#[test]
fn rate_periods_written_out_of_order_are_sorted() {
    let policy = bundled_policy_text().replacen(
        "\n[[rates]]",
        &format!("{}\n[[rates]]", rate_period("2025-07-01", "0.28")),
        1,
    );
    let config = load_policy(&policy).unwrap();
    assert_eq!(config.policy.rates[0].effective_from, date(2014, 6, 1));
    assert_eq!(config.policy.rates_on(date(2025, 7, 1)).mileage.lower, Pence(28));
}

#[test]
fn protection_bands_must_ascend() {
    let policy =
        bundled_policy_text().replace("{ min_years = 3, months = 4 }", "{ min_years = 2, months = 4 }");
    let message = config_error_message(load_policy(&policy));
    assert!(message.starts_with("protection.short[2].min_years"), "{message}");
}

#[test]
fn missing_file_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = Config::load(dir.path()).unwrap_err();
    assert_eq!(err.exit_code(), 3);
    assert!(err.to_string().contains("policy.toml"), "{err}");
}

#[test]
fn aliases_include_the_all_table() {
    let columns = bundled().columns;
    assert!(columns.aliases("Claims", "assignment").contains(&"Assignment Number".to_string()));
    assert!(columns.aliases("Protection", "assignment").contains(&"Emp No".to_string()));
    assert!(columns.aliases("Staff", "name").contains(&"Employee Name".to_string()));
    assert!(columns.aliases("Claims", "no_such_column").is_empty());
    assert!(columns.aliases("NoSuchSheet", "assignment").is_empty());
}

#[test]
fn unknown_sheet_in_columns_is_named() {
    let columns = format!("{}\n[Claimz]\namount = [\"Amt\"]\n", bundled_columns_text());
    let (_dir, loaded) = load_with(&bundled_policy_text(), &columns);
    let message = config_error_message(loaded);
    assert!(message.contains("Claimz"), "{message}");
}

/// absence_type's other names (SPEC §14): matched like headers; "Parental
/// Leave" stays the unpaid PARENTAL; a name given to two types, or to an
/// unknown type, is refused naming the key.
#[test]
fn absence_type_names_resolve_and_bad_ones_are_named() {
    use crate::model::AbsenceType::*;
    let columns = bundled().columns;
    for (text, kind) in [
        ("Maternity Leave", Maternity),
        (" maternity-leave ", Maternity),
        ("Adoption Leave", Adoption),
        ("Shared Parental Leave", SharedParental),
        ("SPL", SharedParental),
        ("shared parental", SharedParental),
        ("Paternity Leave", Paternity),
        ("Parental Leave", Parental),
        ("SICKNESS", Sickness),
    ] {
        assert_eq!(columns.absence_type(text), Some(kind), "{text}");
    }
    assert_eq!(columns.absence_type("Maternity Leaves"), None);
    let twice = bundled_columns_text().replace("PATERNITY = [\"Paternity Leave\"]", "PATERNITY = [\"SPL\"]");
    let message = config_error_message(load_with(&bundled_policy_text(), &twice).1);
    // Keys are read in order: PATERNITY takes "SPL" first, SHARED_PARENTAL's is refused.
    assert!(
        message.starts_with("absence_types.SHARED_PARENTAL[1]: 'SPL' already means PATERNITY"),
        "{message}"
    );
    let unknown = format!("{}MATERNAL = [\"Mat\"]\n", bundled_columns_text());
    let message = config_error_message(load_with(&bundled_policy_text(), &unknown).1);
    assert!(message.starts_with("absence_types.MATERNAL"), "{message}");
}

#[test]
fn unknown_column_in_columns_is_named() {
    let columns = bundled_columns_text().replace("[Shifts]\n", "[Shifts]\nstrat = [\"Begin\"]\n");
    let (_dir, loaded) = load_with(&bundled_policy_text(), &columns);
    let message = config_error_message(loaded);
    assert!(message.starts_with("Shifts.strat"), "{message}");
}

#[test]
fn bradford_triggers_are_pro_rata_below_full_time_hours_rounded_half_up() {
    let mut sickness = bundled().policy.sickness;
    let ft = Ratio { numerator: 375, denominator: 10 };
    assert!(sickness.bradford_pro_rata, "default true");
    assert_eq!(sickness.bradford_triggers_for(3750, ft), [150, 500, 875]);
    assert_eq!(sickness.bradford_triggers_for(4000, ft), [150, 500, 875], "above full time: unchanged");
    assert_eq!(
        sickness.bradford_triggers_for(3749, ft),
        [150, 500, 875].map(|t: u64| (t * 3749 * 2 + 3750) / 7500)
    );
    assert_eq!(sickness.bradford_triggers_for(2250, ft), [90, 300, 525]);
    assert_eq!(sickness.bradford_triggers_for(3000, ft), [120, 400, 700]);
    // 151 × 18.75 / 37.5 = 75.5 → 76 (half up); 149 × 18.75 / 37.5 = 74.5 → 75.
    sickness.bradford_triggers = vec![149, 151];
    assert_eq!(sickness.bradford_triggers_for(1875, ft), [75, 76]);
    sickness.bradford_pro_rata = false;
    assert_eq!(sickness.bradford_triggers_for(1875, ft), [149, 151]);
}

#[test]
fn a_policy_without_bradford_pro_rata_defaults_to_true() {
    let text = bundled_policy_text();
    let without = text.replace("bradford_pro_rata = true\n", "");
    assert_ne!(text, without);
    let policy = parse_policy(&without).unwrap();
    assert!(policy.sickness.bradford_pro_rata);
    let off = text.replace("bradford_pro_rata = true", "bradford_pro_rata = false");
    assert!(!parse_policy(&off).unwrap().sickness.bradford_pro_rata);
}

#[test]
fn built_in_files_are_the_repository_config_byte_for_byte() {
    assert_eq!(BUILT_IN_POLICY, bundled_policy_text(), "config/policy.toml drifted from the binary");
    assert_eq!(BUILT_IN_COLUMNS, bundled_columns_text(), "config/columns.toml drifted from the binary");
}

#[test]
fn built_in_config_loads_with_the_hash_of_the_repository_files() {
    let built_in = match Config::built_in() {
        Ok(config) => config,
        Err(err) => panic!("built-in config does not load: {err}"),
    };
    assert_eq!(built_in.hash, bundled().hash);
    assert_eq!(built_in.dir, PathBuf::from(BUILT_IN_LABEL));
}

#[test]
fn an_explicit_folder_is_used_even_without_files() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(Config::locate(Some(dir.path())), Some(dir.path().to_path_buf()));
    let message = match Config::find(Some(dir.path())) {
        Err(Error::Config { path, message }) => format!("{} {message}", path.display()),
        other => panic!("expected a configuration error, got {other:?}"),
    };
    assert!(message.contains("policy.toml") && message.contains("cannot be read"), "{message}");
}

#[test]
fn init_writes_both_files_and_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("RP5");
    let written = Config::write_built_in(&target, false).unwrap();
    assert_eq!(written.len(), 2);
    assert_eq!(std::fs::read_to_string(target.join(POLICY_FILE)).unwrap(), BUILT_IN_POLICY);
    assert_eq!(Config::load(&target).unwrap().hash, bundled().hash);

    std::fs::write(target.join(COLUMNS_FILE), "edited").unwrap();
    std::fs::remove_file(target.join(POLICY_FILE)).unwrap();
    match Config::write_built_in(&target, false) {
        Err(Error::Usage(message)) => assert!(message.contains("columns.toml"), "{message}"),
        other => panic!("expected exit 2, got {other:?}"),
    }
    // Nothing was written: the edit is still there, and policy.toml was not written either.
    assert_eq!(std::fs::read_to_string(target.join(COLUMNS_FILE)).unwrap(), "edited");
    assert!(!target.join(POLICY_FILE).exists());
    Config::write_built_in(&target, true).unwrap();
    assert_eq!(std::fs::read_to_string(target.join(COLUMNS_FILE)).unwrap(), BUILT_IN_COLUMNS);
}

fn with_interface(table: &str) -> crate::error::Result<Config> {
    load_policy(&format!("{}\n[payroll_interface]\n{table}\n", bundled_policy_text()))
}

#[test]
fn payroll_interface_defaults_apply_when_the_table_is_absent() {
    let pi = &bundled().policy.payroll_interface;
    assert_eq!(pi.batch_name_for("PAYRUN", "2025-06"), "PAYRUN EXPENSES 2025-06");
    assert_eq!(pi.batch_source, "payrun");
    assert_eq!(pi.action_if_exists, ActionIfExists::CreateNew);
    assert_eq!(pi.effective_date, EffectiveDate::PeriodStart);
    assert_eq!(pi.inputs.len(), ELEMENT_CODES.len());
    for code in ELEMENT_CODES {
        assert_eq!(
            pi.inputs_of(code),
            vec![InputValue { name: "Pay Value".into(), source: InputSource::Amount }]
        );
    }
    assert!(pi.correction_elements.is_empty());
}

#[test]
fn payroll_interface_reads_several_inputs_in_order() {
    let config = with_interface(
        "batch_name = \"{org}-EXP-{period}\"\naction_if_exists = \"REJECT\"\neffective_date = \"period_end\"\n\
         [payroll_interface.inputs]\n\
         UNPAID_LEAVE = [[\"Pay Value\", \"amount\"], [\"Hours\", \"units\"], [\"Rate\", \"rate\"]]\n\
         [payroll_interface.correction_elements]\nMILEAGE = \"Mileage arrears\"\n",
    )
    .unwrap();
    let pi = &config.policy.payroll_interface;
    let inputs = pi.inputs_of("UNPAID_LEAVE");
    let names: Vec<(&str, InputSource)> = inputs.iter().map(|v| (v.name.as_str(), v.source)).collect();
    assert_eq!(
        names,
        [("Pay Value", InputSource::Amount), ("Hours", InputSource::Units), ("Rate", InputSource::Rate)]
    );
    assert_eq!(pi.inputs_of("MILEAGE").len(), 1);
    assert_eq!(pi.batch_name_for("RP5", "2025-06"), "RP5-EXP-2025-06");
    assert_eq!((pi.action_if_exists, pi.effective_date), (ActionIfExists::Reject, EffectiveDate::PeriodEnd));
    assert_eq!(pi.correction_element("MILEAGE"), Some("Mileage arrears"));
    assert_eq!(pi.correction_element("TRAVEL"), None);
}

#[test]
fn payroll_interface_refuses_bad_lists_naming_the_key() {
    let fifteen: Vec<String> = (1..=15)
        .map(|i| {
            if i == 1 {
                "[\"Pay Value\", \"amount\"]".to_string()
            } else {
                format!("[\"V{i}\", \"units\"]")
            }
        })
        .collect();
    let sixteen = format!("{}, [\"V16\", \"rate\"]", fifteen.join(", "));
    let cases = [
        (
            "[payroll_interface.inputs]\nMILEAGE = [[\"Hours\", \"units\"]]",
            "payroll_interface.inputs.MILEAGE: needs exactly one input fed from `amount` (found 0)",
        ),
        (
            "[payroll_interface.inputs]\nMILEAGE = [[\"A\", \"amount\"], [\"B\", \"amount\"]]",
            "payroll_interface.inputs.MILEAGE: needs exactly one input fed from `amount` (found 2)",
        ),
        (
            &format!("[payroll_interface.inputs]\nMILEAGE = [{sixteen}]"),
            "payroll_interface.inputs.MILEAGE: 16 input values",
        ),
        (
            "[payroll_interface.inputs]\nPARKING = [[\"Pay Value\", \"amount\"]]",
            "payroll_interface.inputs.PARKING: unknown element code",
        ),
        (
            "[payroll_interface.inputs]\nMILEAGE = [[\"Pay Value\", \"hours\"]]",
            "payroll_interface.inputs.MILEAGE[0]: unknown source `hours`",
        ),
        (
            "[payroll_interface.inputs]\nMILEAGE = [[\"Pay Value\"]]",
            "payroll_interface.inputs.MILEAGE[0]: must be",
        ),
        (
            "[payroll_interface.correction_elements]\nBONUS = \"x\"",
            "payroll_interface.correction_elements.BONUS: unknown element code",
        ),
        ("action_if_exists = \"OVERWRITE\"", "payroll_interface.action_if_exists"),
        ("effective_date = \"mid_month\"", "payroll_interface.effective_date"),
        ("batch_name = \"{org} {month}\"", "payroll_interface.batch_name: unknown placeholder `{month}`"),
        ("batch_nme = \"x\"", "payroll_interface.batch_nme"),
    ];
    for (table, expected) in cases {
        let message = config_error_message(with_interface(table));
        assert!(message.starts_with(expected), "{table}\n→ {message}");
    }
    // Fifteen inputs is the most a line holds, and is accepted.
    let ok =
        with_interface(&format!("[payroll_interface.inputs]\nMILEAGE = [{}]", fifteen.join(", "))).unwrap();
    assert_eq!(ok.policy.payroll_interface.inputs_of("MILEAGE").len(), 15);
}
