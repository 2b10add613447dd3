//! The integration tests: one test binary (it links polars once), one
//! module per area, as in ripgrep's `tests/tests.rs`. They run the built
//! `sla-report` binary on small named fixtures in `tests/fixtures/`.

mod common;

mod analysis;
mod cli;
mod customers;
mod first_day;
mod imports;
mod imports_property;
mod inspect;
mod reliability;
mod report;
