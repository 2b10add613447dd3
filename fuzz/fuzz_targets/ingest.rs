//! Fuzz target (AFL++ through cargo-afl, on stable): arbitrary bytes through
//! `sla_report::ingest` as an import would read them.
//!
//! The input is cut at each 0xFF 0x00 pair into up to four parts: a ticket
//! file, a history file (CSV or JSON: the reader tells them apart by
//! content), a `--customers` file and an import profile (TOML); without a
//! second part the history is an empty native one, without a third (or an
//! empty one) there is no customers file. The files are read with the
//! built-in formats
//! native, zendesk and freshdesk, and with the fuzzed profile when it is
//! valid. Checked each time: never a panic (overflow checks are on, so
//! arithmetic that would wrap is a crash too); a fatal error names one of
//! the files; per file read = accepted + rejected + skipped + outside +
//! ignored; tiny block and chunk sizes give the same result as the default.
//!
//! Build and run: see the README's reliability section. A crash file
//! replays with `target/release/ingest < FILE` outside AFL.

use std::path::PathBuf;
use std::sync::OnceLock;

use sla_report::ingest::{self, Customers, ReadOptions, Sizes};
use sla_report::policy::Policy;
use sla_report::profile::Profile;
use sla_report::timestamp::InputZone;

const NO_CHANGES: &[u8] = b"ticket_id,changed_at,to_priority\n";

fn summary(r: &Result<ingest::Dataset, ingest::IngestError>, paths: &[&str]) -> Vec<String> {
    match r {
        Err(e) => {
            let message = e.to_string();
            assert!(
                paths.iter().any(|p| message.contains(p)),
                "a fatal error names its file: {message}"
            );
            vec![message]
        }
        Ok(ds) => {
            let mut out: Vec<String> = ds
                .tickets
                .iter()
                .map(|t| {
                    format!(
                        "{:?} {} {:?} {} {}",
                        ds.id(t),
                        t.created,
                        t.response,
                        t.submitted,
                        t.plan
                    )
                })
                .collect();
            out.extend(ds.changes.iter().map(|c| format!("{c:?}")));
            out.extend(
                ds.rejects
                    .iter()
                    .map(|r| format!("{} {} {:?} {:?}", r.file, r.line, r.reason, r.record)),
            );
            for f in &ds.files {
                let c = &f.counts;
                assert_eq!(
                    c.read,
                    c.accepted + c.rejected + c.skipped + c.outside + c.ignored,
                    "{}: {c:?}",
                    f.path
                );
                let listed = ds
                    .rejects
                    .iter()
                    .filter(|r| ds.files[r.file].path == f.path)
                    .count() as u64;
                assert_eq!(listed, c.rejected, "{}: rejects listed", f.path);
                out.push(format!(
                    "{} {c:?} {} {}",
                    f.sha256, f.warnings, f.export_mismatches
                ));
            }
            out
        }
    }
}

fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(Policy::embedded)
}

fn built_in() -> &'static [Profile] {
    static PROFILES: OnceLock<Vec<Profile>> = OnceLock::new();
    PROFILES.get_or_init(|| {
        ["native", "zendesk", "freshdesk"]
            .iter()
            .map(|name| Profile::built_in(name, policy()).unwrap().unwrap())
            .collect()
    })
}

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("sla-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

fn write(name: &str, bytes: &[u8]) -> String {
    let path = dir().join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_string()
}

/// Reads the files with one profile, at default and at tiny sizes.
fn read(profile: &Profile, customers: Option<&Customers>, files: &(String, String), n: usize) {
    let zone = profile.timezone.unwrap_or(chrono_tz::Europe::Bratislava);
    let opts = ReadOptions {
        policy: policy(),
        profile,
        customers,
        zone: InputZone::new(zone),
        as_of: Some(1_772_500_000),
        delimiter: None,
        period: None,
        on_bytes: None,
        max_record: 1 << 16,
    };
    let (tickets, changes) = (vec![files.0.clone()], vec![files.1.clone()]);
    let mut paths = vec![files.0.as_str(), files.1.as_str()];
    if let Some(c) = customers {
        paths.push(&c.path);
    }
    let reference = summary(&ingest::load(&tickets, &changes, &opts), &paths);
    let sizes = Sizes {
        block: 1 + n % 7,
        chunk: 1 + n % 5,
    };
    let small = summary(&ingest::load_with(&tickets, &changes, &opts, sizes), &paths);
    assert_eq!(small, reference, "{} {sizes:?}", profile.name);
}

fn run(data: &[u8]) {
    let mut parts = Vec::with_capacity(4);
    let mut rest = data;
    while parts.len() < 3 {
        match rest.windows(2).position(|w| w == [0xFF, 0x00]) {
            Some(i) => {
                parts.push(&rest[..i]);
                rest = &rest[i + 2..];
            }
            None => break,
        }
    }
    parts.push(rest);
    let part = |i: usize| parts.get(i).copied();
    let files = (
        write("tickets.csv", part(0).unwrap_or_default()),
        write("changes", part(1).unwrap_or(NO_CHANGES)),
    );
    let customers = part(2).filter(|c| !c.is_empty()).and_then(|bytes| {
        let path = write("customers.csv", bytes);
        match Customers::load(&path, policy()) {
            Ok(c) => Some(c),
            Err(e) => {
                let message = e.to_string();
                assert!(message.contains(&path), "{message}");
                None
            }
        }
    });
    for profile in built_in() {
        read(profile, customers.as_ref(), &files, data.len());
    }
    if let Some(text) = part(3).and_then(|t| std::str::from_utf8(t).ok()) {
        if let Ok(profile) = Profile::from_toml(text, policy()) {
            read(&profile, customers.as_ref(), &files, data.len());
        }
    }
}

/// One thread: the parallel parts of the reader then run inline, in order,
/// with no cross-thread waits whose spins would make the same input take
/// different paths (AFL's stability). Made on first use, after AFL's fork
/// server has forked (threads do not survive a fork).
fn pool() -> &'static rayon::ThreadPool {
    static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
    })
}

fn main() {
    afl::fuzz!(|data: &[u8]| pool().install(|| run(data)));
}
