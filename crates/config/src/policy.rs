//! `policy.toml`: every rate, cap, threshold, window and list the rules use
//! (SPEC: "every figure below is a default").
//!
//! Rates that change over time live in the effective-dated `[[rates]]` array
//! and are looked up by date with [`Policy::rates_on`]; everything else is a
//! plain section. Each struct mirrors one table of the file and denies keys it
//! does not know, so a misspelt key is an error rather than a silent default.

use super::{de, Ratio};
use crate::model::money::{round_half_up_div, Miles, Pence};
use crate::model::AuthLevel;
use chrono::{Datelike, NaiveDate, NaiveTime, TimeDelta, Weekday};
use serde::Deserialize;

/// The whole of `policy.toml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub claims: Claims,
    pub subsistence: Subsistence,
    pub travel: Travel,
    pub sites: Sites,
    /// Effective-dated rate sets, sorted by `effective_from` after loading.
    pub rates: Vec<Rates>,
    pub pay: Pay,
    pub leave: Leave,
    pub sickness: Sickness,
    pub protection: Protection,
    pub limits: Limits,
    pub elements: Elements,
    pub calendar: Calendar,
    /// `[payroll_interface]` (SPEC §7.1), optional.
    #[serde(default)]
    pub payroll_interface: super::PayrollInterface,
    /// `[workbooks]` (SPEC §13), optional: A4 unless it says otherwise.
    #[serde(default)]
    pub workbooks: Workbooks,
    /// `[review]` (SPEC §11), optional: every key has a default.
    #[serde(default)]
    pub review: Review,
}

/// `[review]`: the auditors' review round trip (SPEC §11).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Review {
    /// Who may import reviews; empty = anyone named with `--reviewer`.
    pub reviewers: Vec<String>,
    /// The Open reviews sheet lists unreviewed ERROR / WARNING findings of
    /// this many latest committed periods.
    pub open_months: u32,
    /// RECOVER is taken back in this many equal monthly instalments (1–3).
    pub recovery_months: u32,
    /// Payroll display name of `REVIEW_PAYMENT` (a rejection overturned).
    pub payment_name: String,
    /// Payroll display name of `REVIEW_RECOVERY` (money taken back).
    pub recovery_name: String,
    /// Whether the review lines are taxable (default no: they pay or take
    /// back expense reimbursements).
    pub taxable: bool,
    /// Whether the review lines are NI-able (default no).
    pub ni_able: bool,
}

impl Default for Review {
    fn default() -> Review {
        Review {
            reviewers: Vec::new(),
            open_months: 3,
            recovery_months: 1,
            payment_name: "Expenses review payment".into(),
            recovery_name: "Expenses review recovery".into(),
            taxable: false,
            ni_able: false,
        }
    }
}

impl Review {
    /// Whether `name` may import reviews (any non-blank name when the list is empty).
    pub fn allows(&self, name: &str) -> bool {
        let name = name.trim();
        !name.is_empty() && (self.reviewers.is_empty() || self.reviewers.iter().any(|r| r.trim() == name))
    }
}

/// `[workbooks]`: how the workbooks print (SPEC §13).
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workbooks {
    #[serde(default)]
    pub paper: Paper,
}

/// The paper every sheet is set up for: `"A4"` (the default) or `"Letter"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

/// `[claims]`: handling common to every claim line (SPEC §1, §3.1–§3.3, §3.8).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    /// DAT006: a line above this is rejected.
    #[serde(deserialize_with = "de::pence")]
    pub max_line_amount: Pence,
    /// The cut-off is the end of this working day of the pay period.
    pub cutoff_working_days: u32,
    /// AGE001: expense older than submitted_date minus this many months.
    pub max_age_months: u32,
    /// MIL002: miles above `route_miles × route_tolerance` are capped.
    #[serde(deserialize_with = "de::ratio")]
    pub route_tolerance: Ratio,
    /// TAX005: where mileage paid above HMRC approved amounts goes.
    pub mileage_excess: MileageExcess,
    /// TAX006: relocation paid per employment that is not reported on the P11D.
    #[serde(deserialize_with = "de::pence")]
    pub relocation_p11d_exempt: Pence,
}

/// Destination of the mileage excess over HMRC approved amounts (TAX005).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MileageExcess {
    /// Reported at year end on the P11D, section E.
    P11d,
    /// Taxed through payroll in the month paid.
    Payroll,
}

/// `[subsistence]`: the time tests of SUB005/SUB006 and the SUB011 words.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subsistence {
    /// SUB005: a day meal needs more than this time away...
    #[serde(rename = "day_meal_min_hours_away", deserialize_with = "de::hours")]
    pub day_meal_min_away: TimeDelta,
    /// ...and the time away must cover `day_meal_covers_from`–`_to`.
    #[serde(deserialize_with = "de::time_of_day")]
    pub day_meal_covers_from: NaiveTime,
    #[serde(deserialize_with = "de::time_of_day")]
    pub day_meal_covers_to: NaiveTime,
    /// SUB006: an evening meal needs more than this time away...
    #[serde(rename = "evening_meal_min_hours_away", deserialize_with = "de::hours")]
    pub evening_meal_min_away: TimeDelta,
    /// ...and a return at or after this time.
    #[serde(deserialize_with = "de::time_of_day")]
    pub evening_meal_return_not_before: NaiveTime,
    /// SUB011: a description mentioning one of these words needs alcohol_amount.
    pub alcohol_words: WordList,
}

/// `[travel]`: authorisation needed per category (TRV001–TRV003, TRV007) and
/// the TRV006 words.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Travel {
    #[serde(deserialize_with = "de::auth_level")]
    pub taxi_authorisation: AuthLevel,
    #[serde(deserialize_with = "de::auth_level")]
    pub air_authorisation: AuthLevel,
    /// CAR_HIRE and HIRE_FUEL.
    #[serde(deserialize_with = "de::auth_level")]
    pub car_hire_authorisation: AuthLevel,
    #[serde(deserialize_with = "de::auth_level")]
    pub hospitality_authorisation: AuthLevel,
    /// TRV006: a PARKING description with one of these words is a fine.
    pub fine_words: WordList,
}

/// `[sites]`: the trust's own sites (SUB009, TRV005, ROS004).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sites {
    pub trust_sites: Vec<String>,
}

/// One `[[rates]]` entry: the rates in force from `effective_from` until the
/// next entry's date.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rates {
    #[serde(deserialize_with = "de::date")]
    pub effective_from: NaiveDate,
    pub mileage: MileageRates,
    pub amap: AmapRates,
    pub subsistence: SubsistenceCaps,
    pub relocation: RelocationCaps,
}

/// `[rates.mileage]`: what the trust pays per mile (SPEC §3.3, Appendix 1).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MileageRates {
    #[serde(deserialize_with = "de::pence")]
    pub lower: Pence,
    #[serde(deserialize_with = "de::pence")]
    pub special: Pence,
    /// Special Rate once `special_rate_threshold_miles` SR miles are reached
    /// in the financial year.
    #[serde(deserialize_with = "de::pence")]
    pub special_after_threshold: Pence,
    #[serde(deserialize_with = "de::whole_miles")]
    pub special_rate_threshold_miles: Miles,
    #[serde(deserialize_with = "de::pence")]
    pub lease: Pence,
    #[serde(deserialize_with = "de::pence")]
    pub motorcycle: Pence,
    #[serde(deserialize_with = "de::pence")]
    pub bicycle: Pence,
    /// Per passenger mile.
    #[serde(deserialize_with = "de::pence")]
    pub passenger: Pence,
}

/// `[rates.amap]`: HMRC approved mileage allowance payments (SPEC §3.8).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmapRates {
    #[serde(deserialize_with = "de::pence")]
    pub car: Pence,
    /// Car rate once `car_threshold_miles` are reached in the tax year.
    #[serde(deserialize_with = "de::pence")]
    pub car_after_threshold: Pence,
    #[serde(deserialize_with = "de::whole_miles")]
    pub car_threshold_miles: Miles,
    #[serde(deserialize_with = "de::pence")]
    pub motorcycle: Pence,
    #[serde(deserialize_with = "de::pence")]
    pub bicycle: Pence,
    #[serde(deserialize_with = "de::pence")]
    pub passenger: Pence,
}

/// `[rates.subsistence]`: caps per claimant per calendar day (SPEC §3.4).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubsistenceCaps {
    #[serde(deserialize_with = "de::pence")]
    pub hotel: Pence,
    #[serde(deserialize_with = "de::pence")]
    pub hotel_london: Pence,
    /// A flat rate, not a cap (SUB003).
    #[serde(deserialize_with = "de::pence")]
    pub non_commercial_overnight: Pence,
    #[serde(deserialize_with = "de::pence")]
    pub overnight_meals: Pence,
    #[serde(deserialize_with = "de::pence")]
    pub day_meal: Pence,
    #[serde(deserialize_with = "de::pence")]
    pub evening_meal: Pence,
    #[serde(deserialize_with = "de::pence")]
    pub incidental: Pence,
    /// SUB008: all subsistence but HOTEL, per day.
    #[serde(deserialize_with = "de::pence")]
    pub daily_total: Pence,
}

/// `[rates.relocation]`: caps per employment (SPEC §3.7).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelocationCaps {
    /// REL001: RELOCATION + RELOCATION_MISC.
    #[serde(deserialize_with = "de::pence")]
    pub total: Pence,
    /// REL002: RELOCATION_MISC alone.
    #[serde(deserialize_with = "de::pence")]
    pub misc: Pence,
}

/// `[pay]`: figures that turn salaries into hourly and monthly amounts.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pay {
    /// LV001 hourly rate and SHORT protection: 52.143 weeks in a year.
    #[serde(deserialize_with = "de::ratio")]
    pub weeks_per_year: Ratio,
    /// Full-time weekly hours, the base of pro-rata hour entitlements.
    #[serde(deserialize_with = "de::ratio")]
    pub full_time_weekly_hours: Ratio,
}

/// `[leave]`: paid special-leave entitlements (SPEC §3.10). Days are working
/// days; a week is the employee's contracted hours.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Leave {
    /// BEREAVEMENT_IMMEDIATE, per episode.
    pub bereavement_immediate_days: u32,
    /// FUNERAL, per episode.
    pub funeral_days: u32,
    /// BEREAVEMENT_CLOSE is unpaid; more days than this is LV003.
    pub bereavement_close_warn_after_days: u32,
    /// EMERGENCY, full-time hours in the rolling 12 months, pro rata.
    pub emergency_full_time_hours: u32,
    /// CARERS is unpaid; more weeks per financial year is LV003.
    pub carers_weeks_per_year: u32,
    /// CARERS with fewer completed years of NHS service is LV003.
    pub carers_min_service_years: u32,
    /// RESERVIST, per financial year.
    pub reservist_weeks_per_year: u32,
    /// MAGISTERIAL, in the rolling 12 months, pro rata.
    pub magisterial_days: u32,
    /// PARENTAL (unpaid) starting with fewer completed years of NHS service
    /// is LV004 (Parental Leave Policy §7).
    #[serde(default = "one")]
    pub parental_min_service_years: u32,
    /// KIT days paid on return per maternity or adoption leave; one more is
    /// KIT002 (SPEC §14).
    #[serde(default = "ten")]
    pub kit_days: u32,
    /// SPLIT days per shared parental leave; one more is KIT002 (SPEC §14).
    #[serde(default = "twenty")]
    pub split_days: u32,
}

fn one() -> u32 {
    1
}

fn ten() -> u32 {
    10
}

fn twenty() -> u32 {
    20
}

/// `[sickness]`: certificate thresholds and Bradford triggers (SPEC §3.11).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sickness {
    /// SCK001: an episode of at least this many calendar days needs a
    /// self-certificate.
    pub self_certificate_from_days: u32,
    /// SCK002: an episode longer than this many calendar days needs a fit note.
    pub fit_note_after_days: u32,
    /// SCK003: Bradford scores for stage 1, 2, 3 ... (ascending), full time.
    pub bradford_triggers: Vec<u64>,
    /// SCK003: triggers are pro rata for part-time employees (Attendance
    /// Management Policy §21.1). Absent from an older policy.toml = true.
    #[serde(default = "de::yes")]
    pub bradford_pro_rata: bool,
    /// SPEC §10.1: a sickness episode of more working days than this is
    /// long-term (Attendance Management Policy §21.6). Absent = 20.
    #[serde(default = "de::twenty")]
    pub long_term_sickness_working_days: u32,
    /// SCK004: the interview is on time on or before this working day after
    /// the day of return (Attendance Management Policy §3.1). Absent = 5.
    #[serde(default = "de::five")]
    pub rtw_within_working_days: u32,
    /// The Absence sheet colours a rate above this percentage (e.g.
    /// `"4.00"`); absent = no target.
    #[serde(default, deserialize_with = "de::optional_ratio")]
    pub absence_rate_target: Option<Ratio>,
}

impl Sickness {
    /// The employee's own triggers (SPEC §3.11): with `bradford_pro_rata`
    /// and contracted hours below `full_time` (both in the same unit, e.g.
    /// hundredths), each trigger × contracted / full time, rounded half up
    /// to a whole point; otherwise the full-time triggers.
    pub fn bradford_triggers_for(&self, contracted_x100: i64, full_time: Ratio) -> Vec<u64> {
        // full time in hundredths of an hour, exactly: numerator × 100 / denominator.
        let (ft_num, ft_den) = (i128::from(full_time.numerator) * 100, i128::from(full_time.denominator));
        let part_time = i128::from(contracted_x100) * ft_den < ft_num;
        if !self.bradford_pro_rata || !part_time || ft_num <= 0 {
            return self.bradford_triggers.clone();
        }
        self.bradford_triggers
            .iter()
            .map(|&t| {
                let scaled =
                    round_half_up_div(i128::from(t) * i128::from(contracted_x100.max(0)) * ft_den, ft_num);
                scaled.max(0) as u64
            })
            .collect()
    }

    /// The stage a Bradford score has reached against `triggers` (0 = none).
    pub fn stage_against(triggers: &[u64], score: u64) -> u32 {
        triggers.iter().filter(|t| score >= **t).count() as u32
    }

    /// The stage a Bradford score has reached (0 = none).
    pub fn bradford_stage(&self, score: u64) -> u32 {
        self.bradford_triggers.iter().filter(|t| score >= **t).count() as u32
    }
}

/// `[protection]`: pay-protection periods by completed years of reckonable
/// service at the change date (SPEC §3.12).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Protection {
    /// SHORT: earnings protection.
    pub short: BandTable,
    /// LONG: basic-salary protection.
    pub long: BandTable,
}

/// A table of service bands, ascending by `min_years`, the first at 0.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct BandTable(pub Vec<Band>);

/// From `min_years` completed years of service, protection lasts `months`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub min_years: u32,
    pub months: u32,
}

impl BandTable {
    /// Months of protection for `completed_years` of reckonable service.
    pub fn months_for(&self, completed_years: u32) -> u32 {
        self.0.iter().rev().find(|band| band.min_years <= completed_years).map_or(0, |band| band.months)
    }
}

/// `[limits]`: what an input may hold before it is refused as unreadable.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// A file (or each CSV of a folder) larger than this is refused (exit 3).
    pub max_file_bytes: u64,
    /// Rows a sheet may span, title and blank rows included (exit 3 above it).
    pub max_rows: u64,
    /// Characters a cell may hold; a longer cell is a DAT002 finding.
    pub max_cell_chars: u64,
    /// Cells a sheet's used area (rows × columns) may span: a sheet with a
    /// cell at A1 and one at XFD1048576 would otherwise be unpacked into
    /// 17 billion cells (exit 3 above it).
    #[serde(default = "default_max_cells")]
    pub max_cells: u64,
    /// Bytes a zipped workbook (.xlsx, .xlsm, .xlsb, .ods) may unpack to:
    /// the zip-bomb guard (exit 3 above it).
    #[serde(default = "default_max_unzipped_bytes")]
    pub max_unzipped_bytes: u64,
}

fn default_max_cells() -> u64 {
    Limits::DEFAULT_MAX_CELLS
}

fn default_max_unzipped_bytes() -> u64 {
    Limits::DEFAULT_MAX_UNZIPPED_BYTES
}

impl Limits {
    /// 50 million cells: about 1.6 GB once unpacked.
    pub const DEFAULT_MAX_CELLS: u64 = 50_000_000;
    /// 4 GiB of XML.
    pub const DEFAULT_MAX_UNZIPPED_BYTES: u64 = 4 << 30;
}

impl Default for Limits {
    /// The bundled defaults (`config/policy.toml`).
    fn default() -> Limits {
        Limits {
            max_file_bytes: 1 << 30,
            max_rows: 5_000_000,
            max_cell_chars: 32_767,
            max_cells: Limits::DEFAULT_MAX_CELLS,
            max_unzipped_bytes: Limits::DEFAULT_MAX_UNZIPPED_BYTES,
        }
    }
}

/// `[elements]`: the payroll system's display name of each pay element
/// (SPEC §4.1). Keys are the element codes.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "SCREAMING_SNAKE_CASE")]
pub struct Elements {
    pub mileage: String,
    pub mileage_taxable: String,
    pub travel: String,
    pub travel_taxable: String,
    pub subsistence: String,
    pub subsistence_taxable: String,
    pub relocation: String,
    pub relocation_taxable: String,
    pub sundry: String,
    pub sundry_taxable: String,
    pub unpaid_leave: String,
    /// Keeping-in-touch days paid on return (SPEC §14); a configuration
    /// written before them gets this name.
    #[serde(default = "kit_days_name")]
    pub kit_days: String,
    pub pay_protection: String,
}

fn kit_days_name() -> String {
    "Keeping in touch days".to_string()
}

impl Elements {
    /// The display name of an element code such as `MILEAGE_TAXABLE`.
    pub fn display_name(&self, code: &str) -> Option<&str> {
        let name = match code {
            "MILEAGE" => &self.mileage,
            "MILEAGE_TAXABLE" => &self.mileage_taxable,
            "TRAVEL" => &self.travel,
            "TRAVEL_TAXABLE" => &self.travel_taxable,
            "SUBSISTENCE" => &self.subsistence,
            "SUBSISTENCE_TAXABLE" => &self.subsistence_taxable,
            "RELOCATION" => &self.relocation,
            "RELOCATION_TAXABLE" => &self.relocation_taxable,
            "SUNDRY" => &self.sundry,
            "SUNDRY_TAXABLE" => &self.sundry_taxable,
            "UNPAID_LEAVE" => &self.unpaid_leave,
            "KIT_DAYS" => &self.kit_days,
            "PAY_PROTECTION" => &self.pay_protection,
            _ => return None,
        };
        Some(name)
    }
}

/// `[calendar]`: bank holidays, which are not working days (SPEC §1, §6.3).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    #[serde(deserialize_with = "de::dates")]
    pub bank_holidays: Vec<NaiveDate>,
}

/// Words matched whole and case-insensitively in free text (SPEC §6.5 rule 31).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct WordList(pub Vec<String>);

impl WordList {
    /// True when `text` contains one of the words as a whole word.
    pub fn matches(&self, text: &str) -> bool {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .any(|word| self.0.iter().any(|w| w.eq_ignore_ascii_case(word)))
    }
}

impl Policy {
    pub fn is_bank_holiday(&self, d: NaiveDate) -> bool {
        self.calendar.bank_holidays.binary_search(&d).is_ok()
    }

    /// Mon–Fri and not a bank holiday (SPEC §1).
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.is_bank_holiday(d)
    }

    /// The rate set in force on `d`: the latest `effective_from` on or before
    /// `d`; a date before every entry gets the earliest.
    pub fn rates_on(&self, d: NaiveDate) -> &Rates {
        let in_force = self.rates.partition_point(|r| r.effective_from <= d);
        &self.rates[in_force.saturating_sub(1)]
    }

    /// A site code of the trust, compared trimmed and case-insensitive
    /// (SPEC §6.5 rule 32).
    pub fn is_trust_site(&self, site: &str) -> bool {
        let site = site.trim();
        self.sites.trust_sites.iter().any(|s| s.trim().eq_ignore_ascii_case(site))
    }

    /// Sorts what is looked up by order and checks what serde cannot: the
    /// message of each error starts with the key it concerns.
    pub(crate) fn validate(&mut self) -> Result<(), String> {
        if self.rates.is_empty() {
            return Err("rates: at least one [[rates]] entry is needed".into());
        }
        // Sort by date, remembering each entry's position in the file for messages.
        let mut order: Vec<usize> = (0..self.rates.len()).collect();
        order.sort_by_key(|&i| self.rates[i].effective_from);
        for pair in order.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if self.rates[a].effective_from == self.rates[b].effective_from {
                let (first, second) = (a.min(b), a.max(b));
                return Err(format!(
                    "rates[{second}].effective_from: {} is also the date of rates[{first}]; \
                     two rate periods cannot start on the same day",
                    self.rates[second].effective_from
                ));
            }
        }
        self.rates.sort_by_key(|r| r.effective_from);

        self.calendar.bank_holidays.sort();
        self.calendar.bank_holidays.dedup();

        let positive = [
            ("claims.cutoff_working_days", u64::from(self.claims.cutoff_working_days)),
            ("limits.max_file_bytes", self.limits.max_file_bytes),
            ("limits.max_rows", self.limits.max_rows),
            ("limits.max_cell_chars", self.limits.max_cell_chars),
            ("limits.max_cells", self.limits.max_cells),
            ("limits.max_unzipped_bytes", self.limits.max_unzipped_bytes),
        ];
        for (key, value) in positive {
            if value == 0 {
                return Err(format!("{key}: must be greater than 0"));
            }
        }
        if self.claims.route_tolerance.numerator < self.claims.route_tolerance.denominator {
            return Err("claims.route_tolerance: must be at least 1.00".into());
        }
        for (key, ratio) in [
            ("pay.weeks_per_year", self.pay.weeks_per_year),
            ("pay.full_time_weekly_hours", self.pay.full_time_weekly_hours),
        ] {
            if ratio.numerator == 0 {
                return Err(format!("{key}: must be greater than 0"));
            }
        }
        if self.subsistence.day_meal_covers_from >= self.subsistence.day_meal_covers_to {
            return Err("subsistence.day_meal_covers_to: must be later than day_meal_covers_from".into());
        }
        if self.sites.trust_sites.iter().any(|s| s.trim().is_empty()) {
            return Err("sites.trust_sites: a site code is blank".into());
        }
        check_words("subsistence.alcohol_words", &self.subsistence.alcohol_words)?;
        check_words("travel.fine_words", &self.travel.fine_words)?;
        check_ascending("sickness.bradford_triggers", self.sickness.bradford_triggers.iter().copied())?;
        if self.sickness.rtw_within_working_days == 0 {
            return Err("sickness.rtw_within_working_days: must be greater than 0".into());
        }
        if self.sickness.absence_rate_target.is_some_and(|t| t.numerator > 100 * t.denominator) {
            return Err("sickness.absence_rate_target: a percentage, at most \"100.00\"".into());
        }
        if self.sickness.bradford_triggers.first() == Some(&0) {
            return Err("sickness.bradford_triggers: a trigger must be greater than 0".into());
        }
        check_bands("protection.short", &self.protection.short)?;
        check_bands("protection.long", &self.protection.long)?;
        self.payroll_interface.validate()?;
        if !(1..=3).contains(&self.review.recovery_months) {
            return Err(
                "review.recovery_months: 1, 2 or 3 (SPEC §11.4: recovered over at most three months)".into(),
            );
        }
        if self.review.open_months == 0 {
            return Err("review.open_months: must be greater than 0".into());
        }
        if self.review.reviewers.iter().any(|r| r.trim().is_empty()) {
            return Err("review.reviewers: a name is blank".into());
        }
        for (key, name) in [
            ("review.payment_name", &self.review.payment_name),
            ("review.recovery_name", &self.review.recovery_name),
        ] {
            if name.trim().is_empty() {
                return Err(format!("{key}: must not be blank"));
            }
        }
        Ok(())
    }
}

fn check_words(key: &str, words: &WordList) -> Result<(), String> {
    match words.0.iter().find(|w| w.is_empty() || !w.chars().all(char::is_alphanumeric)) {
        Some(w) => Err(format!("{key}: `{w}` is not a single word (letters and digits)")),
        None => Ok(()),
    }
}

fn check_ascending(key: &str, values: impl Iterator<Item = u64>) -> Result<(), String> {
    let values: Vec<u64> = values.collect();
    if values.is_empty() {
        return Err(format!("{key}: needs at least one entry"));
    }
    match values.windows(2).position(|w| w[0] >= w[1]) {
        Some(i) => Err(format!(
            "{key}[{}]: {} must be greater than the entry before ({})",
            i + 1,
            values[i + 1],
            values[i]
        )),
        None => Ok(()),
    }
}

fn check_bands(key: &str, table: &BandTable) -> Result<(), String> {
    match table.0.first() {
        None => return Err(format!("{key}: needs at least one band")),
        Some(first) if first.min_years != 0 => {
            return Err(format!("{key}[0].min_years: the first band must start at 0 years"))
        }
        Some(_) => {}
    }
    check_ascending(key, table.0.iter().map(|b| u64::from(b.min_years)))
        .map_err(|e| e.replacen(':', ".min_years:", 1))?;
    if let Some(i) = table.0.iter().position(|b| b.months == 0) {
        return Err(format!("{key}[{i}].months: must be greater than 0"));
    }
    Ok(())
}

/// The cut-off's calendar (`model::period::Period::new`): weekdays less the
/// bank holidays, counted to `claims.cutoff_working_days`.
impl crate::model::period::WorkingDays for Policy {
    fn is_working_day(&self, day: NaiveDate) -> bool {
        Policy::is_working_day(self, day)
    }

    fn cutoff_working_days(&self) -> u32 {
        self.claims.cutoff_working_days
    }
}
