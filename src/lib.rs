//! payrun: the monthly payroll-adjustments pipeline for NHS e-Rostering and
//! e-expenses exports.
//!
//! A run reads both workbooks (`ingest`), applies the policy rules to every claim
//! line and roster row (`rules::evaluate`), writes the machine files and
//! workbooks (`output`) and finally commits month-to-month state (`ledger`).
//! `pipeline` shows the whole run in one screen.

pub mod batch;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod error;
pub mod files;
pub mod ingest;
pub mod insights;
pub mod ledger;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod rules;
pub mod sample;

pub use error::{Error, Result};
