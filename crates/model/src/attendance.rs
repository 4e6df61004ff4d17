//! A row of attendance.csv (SPEC §3.11, §4.1): an employee's Bradford
//! figures as the sickness rules computed them.

/// One row of attendance.csv.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttendanceRow {
    pub assignment: String,
    pub name: String,
    pub episodes: u64,
    pub days: u64,
    pub score: u64,
    pub stage: u32,
    pub new_stage: bool,
    /// The employee's own triggers (pro rata when part time, SPEC §3.11),
    /// for the Attendance sheet; attendance.csv keeps its columns.
    pub triggers: Vec<u64>,
}
