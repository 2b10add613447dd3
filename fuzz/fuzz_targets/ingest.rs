//! Fuzz target: arbitrary bytes as a ticket file and a change file (split at
//! the first 0xFF 0x00 pair, so both files get fuzzed) through
//! `sla_report::ingest`, with default and with tiny block/chunk sizes.
//! Never a panic; the per-file accounting holds; the cut sizes never change
//! the result. Run: `cargo +nightly fuzz run ingest` (see README).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sla_report::ingest::{self, ReadOptions, Sizes};
use sla_report::policy::Policy;
use sla_report::timestamp::InputZone;

fn summary(r: Result<ingest::Dataset, ingest::IngestError>) -> Vec<String> {
    match r {
        Err(e) => vec![e.to_string()],
        Ok(ds) => {
            let mut out: Vec<String> = ds
                .tickets
                .iter()
                .map(|t| format!("{:?} {} {:?} {}", ds.id(t), t.created, t.response, t.submitted))
                .collect();
            out.extend(ds.changes.iter().map(|c| format!("{c:?}")));
            out.extend(ds.rejects.iter().map(|r| format!("{} {} {:?} {:?}", r.file, r.line, r.reason, r.record)));
            for f in &ds.files {
                assert_eq!(f.read, f.accepted + f.rejected + f.skipped + f.outside, "{}", f.path);
                out.push(format!("{} {} {} {} {}", f.sha256, f.read, f.accepted, f.rejected, f.skipped));
            }
            out
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (tickets, changes) = match data.windows(2).position(|w| w == [0xFF, 0x00]) {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (data, &b"ticket_id,changed_at,to_priority\n"[..]),
    };
    let dir = std::env::temp_dir().join(format!("sla-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let t = dir.join("tickets.csv");
    let c = dir.join("changes.csv");
    std::fs::write(&t, tickets).unwrap();
    std::fs::write(&c, changes).unwrap();
    let policy = Policy::embedded();
    let opts = ReadOptions {
        policy: &policy,
        zone: InputZone::new(chrono_tz::Europe::Bratislava),
        as_of: Some(1_772_500_000),
        delimiter: None,
        period: None,
        on_bytes: None,
        max_record: ingest::DEFAULT_MAX_RECORD,
    };
    let paths = (
        vec![t.to_str().unwrap().to_string()],
        vec![c.to_str().unwrap().to_string()],
    );
    let reference = summary(ingest::load(&paths.0, &paths.1, &opts));
    let sizes = Sizes { block: 1 + data.len() % 7, chunk: 1 + data.len() % 5 };
    let small = summary(ingest::load_with(&paths.0, &paths.1, &opts, sizes));
    assert_eq!(small, reference, "{sizes:?}");
});
