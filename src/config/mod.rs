//! TEMPORARY interface shim until the config branch lands.
use crate::model::Pence;
use chrono::{Datelike, NaiveDate, Weekday};
use std::path::{Path, PathBuf};
pub struct Config {
    pub policy: Policy,
    pub columns: Columns,
    pub hash: String,
    pub dir: PathBuf,
}
pub struct Claims {
    pub max_line_amount: Pence,
    pub cutoff_working_days: u32,
    pub max_age_months: u32,
}
pub struct Limits {
    pub max_file_bytes: u64,
}
pub struct Policy {
    pub claims: Claims,
    pub limits: Limits,
    pub bank_holidays: Vec<NaiveDate>,
}
#[derive(Default)]
pub struct Columns {
    pub map: std::collections::HashMap<(String, String), Vec<String>>,
}
impl Columns {
    pub fn aliases(&self, sheet: &str, canonical: &str) -> &[String] {
        self.map
            .get(&(sheet.to_string(), canonical.to_string()))
            .map(|v| v.as_slice())
            .unwrap_or(&[])
    }
}
impl Policy {
    pub fn is_bank_holiday(&self, d: NaiveDate) -> bool {
        self.bank_holidays.contains(&d)
    }
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.is_bank_holiday(d)
    }
}
impl Config {
    pub fn load(_dir: &Path) -> crate::Result<Config> {
        Ok(Config {
            policy: Policy {
                claims: Claims {
                    max_line_amount: Pence(500000),
                    cutoff_working_days: 3,
                    max_age_months: 3,
                },
                limits: Limits {
                    max_file_bytes: 1 << 30,
                },
                bank_holidays: vec![],
            },
            columns: Columns::default(),
            hash: String::new(),
            dir: PathBuf::from("config"),
        })
    }
    pub fn default_dir() -> PathBuf {
        PathBuf::from("config")
    }
}
impl Policy {
    pub fn element_name(&self, code: &str) -> String {
        code.to_string()
    }
}
