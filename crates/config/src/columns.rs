//! `columns.toml`: header aliases per sheet (SPEC §2, §6.9).
//!
//! One table per sheet maps a canonical column name to the other headers that
//! mean it; the `[all]` table applies to every sheet (e.g. `assignment`). The
//! canonical name itself always matches and is not listed.

use crate::model::schema::{ColumnSpec, SHEETS};
use crate::model::AbsenceType;
use serde::Deserialize;
use std::collections::BTreeMap;

fn has_column(columns: &[ColumnSpec], name: &str) -> bool {
    columns.iter().any(|c| c.name == name)
}

/// The table that applies to every sheet.
const ALL: &str = "all";

type AliasTable = BTreeMap<String, Vec<String>>;

/// The file as written: one optional table per sheet, nothing else.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnsFile {
    all: Option<AliasTable>,
    #[serde(rename = "Claims")]
    claims: Option<AliasTable>,
    #[serde(rename = "Staff")]
    staff: Option<AliasTable>,
    #[serde(rename = "Shifts")]
    shifts: Option<AliasTable>,
    #[serde(rename = "Absences")]
    absences: Option<AliasTable>,
    #[serde(rename = "Protection")]
    protection: Option<AliasTable>,
    /// Other names of absence_type values (SPEC §14): code → names.
    absence_types: Option<AliasTable>,
}

/// Header aliases, resolved per sheet (the `[all]` aliases merged in).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Columns {
    /// sheet → canonical column → aliases.
    by_sheet: BTreeMap<String, AliasTable>,
    /// Normalised other name of an absence type → the type.
    absence_types: BTreeMap<String, AbsenceType>,
}

/// Header text as compared (and absence_type names): lower case without
/// spaces, underscores or hyphens.
pub fn normalise(header: &str) -> String {
    header
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

impl Columns {
    /// The aliases of `canonical` on `sheet` ("Claims", "Staff", "Shifts",
    /// "Absences", "Protection"), including those of the `[all]` table; empty
    /// when there are none.
    pub fn aliases(&self, sheet: &str, canonical: &str) -> &[String] {
        self.by_sheet.get(sheet).and_then(|table| table.get(canonical)).map_or(&[], Vec::as_slice)
    }

    /// Parses and checks `columns.toml`; errors start with the key concerned.
    pub fn parse(text: &str) -> Result<Columns, String> {
        let file: ColumnsFile = super::from_toml(text)?;
        let sheet_tables = [
            ("Claims", file.claims),
            ("Staff", file.staff),
            ("Shifts", file.shifts),
            ("Absences", file.absences),
            ("Protection", file.protection),
        ];
        let mut columns = Columns::default();
        for (sheet, table) in sheet_tables {
            columns.by_sheet.insert(sheet.to_string(), table.unwrap_or_default());
        }
        columns.check_and_merge(file.all.unwrap_or_default())?;
        for (code, names) in file.absence_types.unwrap_or_default() {
            let Some(kind) = AbsenceType::parse(&code) else {
                let codes: Vec<&str> = AbsenceType::ALL.iter().map(|t| t.code()).collect();
                return Err(format!(
                    "absence_types.{code}: not an absence type (types: {})",
                    codes.join(", ")
                ));
            };
            for (i, name) in names.iter().enumerate() {
                let key = normalise(name);
                if key.is_empty() {
                    return Err(format!("absence_types.{code}[{i}]: blank name"));
                }
                let taken = AbsenceType::ALL.iter().find(|t| normalise(t.code()) == key).copied();
                match taken.or_else(|| columns.absence_types.get(&key).copied()) {
                    Some(other) if other != kind => {
                        return Err(format!("absence_types.{code}[{i}]: '{name}' already means {other}"));
                    }
                    _ => {
                        columns.absence_types.insert(key, kind);
                    }
                }
            }
        }
        Ok(columns)
    }

    /// An absence_type cell's type: the code (SPEC §6.2 rule 10) or one of
    /// its other names in `[absence_types]`, compared as headers are.
    pub fn absence_type(&self, text: &str) -> Option<AbsenceType> {
        AbsenceType::parse(text).or_else(|| {
            let key = normalise(text);
            AbsenceType::ALL
                .iter()
                .find(|t| normalise(t.code()) == key)
                .copied()
                .or_else(|| self.absence_types.get(&key).copied())
        })
    }

    fn check_and_merge(&mut self, all: AliasTable) -> Result<(), String> {
        for (sheet, known) in SHEETS {
            let table = self.by_sheet.entry((*sheet).to_string()).or_default();
            for (canonical, aliases) in table.iter() {
                if !has_column(known, canonical) {
                    let names: Vec<&str> = known.iter().map(|c| c.name).collect();
                    return Err(format!(
                        "{sheet}.{canonical}: not a column of the {sheet} sheet (columns: {})",
                        names.join(", ")
                    ));
                }
                if let Some(i) = aliases.iter().position(|a| a.trim().is_empty()) {
                    return Err(format!("{sheet}.{canonical}[{i}]: blank alias"));
                }
            }
            for (canonical, aliases) in &all {
                if !SHEETS.iter().any(|(_, cols)| has_column(cols, canonical)) {
                    return Err(format!("{ALL}.{canonical}: not a column of any sheet"));
                }
                if let Some(i) = aliases.iter().position(|a| a.trim().is_empty()) {
                    return Err(format!("{ALL}.{canonical}[{i}]: blank alias"));
                }
                if has_column(known, canonical) {
                    let merged = table.entry(canonical.clone()).or_default();
                    for alias in aliases {
                        if !merged.contains(alias) {
                            merged.push(alias.clone());
                        }
                    }
                }
            }
        }
        Ok(())
    }
}
