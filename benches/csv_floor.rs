//! The CSV-parse floor: a bare csv-crate loop that only reads the same input
//! files as `sla-report run` (byte records, no validation, no output). The
//! benchmark (`benches/bench.py`) compares the tool's end-to-end time with
//! this loop's.
//!
//!     cargo bench --bench csv_floor -- TICKETS.csv [CHANGES.csv ...]

use std::time::Instant;

fn main() {
    let paths: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if paths.is_empty() {
        eprintln!("usage: csv_floor FILE...");
        return;
    }
    let start = Instant::now();
    let mut records = 0u64;
    let mut field_bytes = 0u64;
    for path in &paths {
        let mut reader = match csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_path(path)
        {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{path}: {e}");
                std::process::exit(1);
            }
        };
        let mut record = csv::ByteRecord::new();
        while reader.read_byte_record(&mut record).unwrap_or(false) {
            records += 1;
            field_bytes += record.as_slice().len() as u64;
        }
    }
    println!(
        "csv_floor: {records} records, {field_bytes} field bytes in {:.3} s",
        start.elapsed().as_secs_f64()
    );
}
