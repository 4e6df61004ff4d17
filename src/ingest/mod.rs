//! Ingest: workbooks and CSV files into the typed model (SPEC §2).

pub mod cell;
