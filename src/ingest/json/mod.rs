//! JSON priority histories: Zendesk's Ticket Audits (a response page
//! `{"audits":[...]}` or NDJSON of audits) and Freshdesk's ticket-activities
//! export `{"activities_data":[...]}` (EXPORTS.md sections 3 and 4).
//!
//! `split` streams a file into records with their lines, in batches for
//! parallel parsing; `history` reads one record into a history row.

mod history;
mod split;

pub(super) use history::{compact, freshdesk_activity, zendesk_audit, Extracted, HistoryRow};
pub(super) use split::{JsonRecords, Shape};

/// The keys of a Zendesk audits page that hold its records.
pub(super) const ZENDESK_KEYS: &[&str] = &["audits"];
/// The keys of a Freshdesk activities export that hold its records.
pub(super) const FRESHDESK_KEYS: &[&str] = &["activities_data"];

#[cfg(test)]
mod tests {
    use rayon::prelude::*;

    /// Throughput of the splitter and the extraction on a file named by
    /// `SLA_JSON_BENCH` (a Zendesk page or NDJSON), e.g.
    /// `SLA_JSON_BENCH=/tmp/audits.ndjson cargo test --release --lib
    /// json_throughput -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn json_throughput() {
        let Ok(path) = std::env::var("SLA_JSON_BENCH") else {
            return;
        };
        let size = std::fs::metadata(&path).unwrap().len() as f64 / 1e6;
        let mb_s = |t: std::time::Instant| size / t.elapsed().as_secs_f64();
        let t = std::time::Instant::now();
        let mut r = super::JsonRecords::open(&path, super::ZENDESK_KEYS, 64 << 20).unwrap();
        let mut n = 0;
        while let Some(batch) = r.next_batch(16 << 20).unwrap() {
            n += batch.len();
        }
        println!("split: {n} records, {:.0} MB/s", mb_s(t));
        let t = std::time::Instant::now();
        let mut r = super::JsonRecords::open(&path, super::ZENDESK_KEYS, 64 << 20).unwrap();
        let mut rows = 0;
        while let Some(batch) = r.next_batch(16 << 20).unwrap() {
            rows += batch
                .par_iter()
                .filter(|rec| matches!(super::zendesk_audit(&rec.text), super::Extracted::Row(_)))
                .count();
        }
        let sha = r.sha256();
        println!(
            "split + extract ({} threads): {rows} rows, {:.0} MB/s, sha256 {sha}",
            rayon::current_num_threads(),
            mb_s(t)
        );
    }
}
