//! Property tests (proptest) of the replay and ingest invariants. The
//! calendar's invariants are property-tested next to it, in
//! `src/calendar.rs`. Case counts keep this module within seconds in a
//! release build; raise them with `PROPTEST_CASES=N` for a longer run.

use proptest::prelude::*;

use sla_report::ingest::{self, Dataset, ReadOptions};
use sla_report::model::ChangedBy;
use sla_report::model::{Change, Ticket};
use sla_report::model::{Outcome, Status};
use sla_report::policy::{Mode, Policy};
use sla_report::replay::{self, Clocks};
use sla_report::timestamp::InputZone;

use crate::common::cases;

const MODES: [Mode; 4] = [Mode::Current, Mode::Prorata, Mode::Restart, Mode::Initial];

fn policy() -> &'static Policy {
    static POLICY: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
    POLICY.get_or_init(Policy::embedded)
}

fn clocks() -> &'static Clocks {
    static CLOCKS: std::sync::OnceLock<Clocks> = std::sync::OnceLock::new();
    CLOCKS.get_or_init(|| Clocks::new(policy(), (2024, 2028)))
}

/// 2025-01-01 .. 2027-01-01: DST changes, Easter, Christmas inside.
fn instant() -> impl Strategy<Value = i64> {
    1_735_689_600i64..1_798_761_600
}

#[derive(Debug, Clone)]
struct Scenario {
    ticket: Ticket,
    /// (seconds after creation, may be negative; to)
    changes: Vec<(i64, u32)>,
    as_of: i64,
}

prop_compose! {
    fn scenario(max_changes: usize)(
        plan in 0u16..3,
        submitted in 1u32..=3,
        excluded in prop::bool::weighted(0.1),
        created in instant(),
        // responses from at once to 30 days later, sometimes at odd seconds
        response in prop::option::weighted(0.8, 0i64..30 * 86_400),
        as_of in 0i64..40 * 86_400,
        changes in prop::collection::vec((-3_600i64..20 * 86_400, 1u32..=3), 0..=max_changes),
    ) -> Scenario {
        Scenario {
            ticket: Ticket {
                id: 0,
                plan,
                excluded,
                submitted,
                stage: 0,
                created,
                response: response.map(|r| created + r),
                group: 0,
                assignee: 0,
                organization: 0,
            },
            changes,
            as_of: created + as_of,
        }
    }
}

/// The changes of a scenario as the pipeline hands them to the replay:
/// at or before `as_of`, sorted by `changed_at`, ties in input order.
fn changes_of(s: &Scenario) -> Vec<Change> {
    let mut changes: Vec<Change> = s
        .changes
        .iter()
        .map(|&(at, to)| Change {
            ticket: 0,
            changed_at: s.ticket.created + at,
            to,
            from: None,
            file: 1,
            line: 0,
            by: ChangedBy::Agent,
        })
        .filter(|c| c.changed_at <= s.as_of)
        .collect();
    changes.sort_by_key(|c| c.changed_at);
    changes
}

fn eval(s: &Scenario, changes: &[Change], mode: Mode) -> Outcome {
    replay::evaluate(&s.ticket, changes, policy(), clocks(), mode, s.as_of)
}

/// What must hold for every outcome.
fn check_outcome(s: &Scenario, o: &Outcome, mode: Mode) -> Result<(), TestCaseError> {
    let response = replay::response_by(&s.ticket, s.as_of);
    match (o.status, o.measure) {
        (Status::Excluded, None) => prop_assert!(s.ticket.excluded),
        (Status::NoTarget, None) => prop_assert!(!s.ticket.excluded),
        (status, Some(m)) => {
            prop_assert!(!s.ticket.excluded);
            prop_assert!(m.elapsed_s >= 0 && m.target_s > 0);
            prop_assert_eq!(m.margin_s(), i64::from(m.target_s) - m.elapsed_s);
            // status agrees with the margin and the response
            let over = m.margin_s() < 0;
            let expected = match (response.is_some(), over) {
                (true, false) => Status::Met,
                (true, true) => Status::Breached,
                (false, false) => Status::Open,
                (false, true) => Status::OpenBreached,
            };
            prop_assert_eq!(status, expected, "{:?} {:?}", mode, m);
            // a response at or before the deadline is met
            if let Some(r) = response {
                if r <= m.deadline {
                    prop_assert_eq!(status, Status::Met, "{:?} {:?} r={}", mode, m, r);
                }
            }
            if mode != Mode::Prorata {
                let start_max = response.unwrap_or(s.as_of);
                prop_assert!(m.elapsed_s <= start_max - s.ticket.created.min(start_max));
            }
        }
        (status, None) => prop_assert!(false, "{:?} without a measure", status),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    /// With no changes all four modes agree.
    #[test]
    fn without_changes_all_modes_agree(s in scenario(0)) {
        let outcomes: Vec<Outcome> = MODES.iter().map(|&m| eval(&s, &[], m)).collect();
        for (o, &mode) in outcomes.iter().zip(&MODES) {
            check_outcome(&s, o, mode)?;
            prop_assert_eq!(o, &outcomes[0], "{:?} vs current", mode);
        }
    }

    /// margin == target - elapsed, the status agrees with the margin and the
    /// response, in every mode and for any history.
    #[test]
    fn margin_and_status_agree_in_every_mode(s in scenario(8)) {
        let changes = changes_of(&s);
        for mode in MODES {
            let o = eval(&s, &changes, mode);
            check_outcome(&s, &o, mode)?;
            if mode == Mode::Initial {
                prop_assert_eq!(o.governing, s.ticket.submitted);
            }
        }
    }

    /// Changes that keep the one priority are not reclassifications: prorata
    /// (and every other mode) equals current.
    #[test]
    fn one_priority_throughout_prorata_equals_current(s in scenario(6)) {
        let mut s = s;
        for c in &mut s.changes {
            c.1 = s.ticket.submitted;
        }
        let changes = changes_of(&s);
        let current = eval(&s, &changes, Mode::Current);
        prop_assert_eq!(current.reclassifications, 0);
        for mode in MODES {
            prop_assert_eq!(eval(&s, &changes, mode), current, "{:?}", mode);
        }
    }
}

// ---- ingest ------------------------------------------------------------------

/// Bytes that make CSV parsers stumble, and fragments of valid rows.
const PIECES: &[&[u8]] = &[
    b"\"",
    b"\"\"",
    b"\r",
    b"\n",
    b"\r\n",
    b",",
    b";",
    b" ",
    b"\t",
    b"\xef\xbb\xbf",
    b"\xe9",
    b"\xff\xfe",
    b"\xc3",
    b"\0",
    b"T-1",
    b"T-2",
    b"Advanced",
    b"basic",
    b"P1",
    b"3",
    b"beta",
    b"2026-03-02T08:00:00Z",
    b"2026-03-29 02:30",
    b"9999-12-31T23:59:59+23:59",
    b"0001-01-01T00:00:00-23:59",
    b"ticket_id",
    b"changed_at",
];

const TICKET_HEADERS: &[&[u8]] = &[
    b"ticket_id,created_at,first_response_at,plan,priority,product_stage\n",
    b"\xef\xbb\xbfTicket_ID;Created_At;Plan;Priority\r\n",
    b"plan,created_at,ticket_id\r",
    b"",
];

const CHANGE_HEADERS: &[&[u8]] = &[
    b"ticket_id,changed_at,from_priority,to_priority\n",
    b"\xef\xbb\xbfticket_id;changed_at;to_priority\r\n",
    b"",
];

/// Either raw random bytes or a (possibly valid) header followed by random
/// hostile pieces.
fn hostile_file(headers: &'static [&'static [u8]]) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..600),
        (
            prop::sample::select(headers),
            prop::collection::vec(prop::sample::select(PIECES), 0..120),
        )
            .prop_map(|(header, pieces)| {
                let mut v = header.to_vec();
                for p in pieces {
                    v.extend_from_slice(p);
                }
                v
            }),
    ]
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("reliability")
        .join(format!("{name}-{:?}", std::thread::current().id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Reads two files; on success the accounting holds for each.
fn load_bytes(
    dir: &std::path::Path,
    tickets: &[u8],
    changes: &[u8],
    as_of: Option<i64>,
    delimiter: Option<u8>,
) -> Result<Dataset, ingest::IngestError> {
    let t = dir.join("tickets.csv");
    let c = dir.join("changes.csv");
    std::fs::write(&t, tickets).unwrap();
    std::fs::write(&c, changes).unwrap();
    let opts = ReadOptions {
        policy: policy(),
        profile: sla_report::profile::Profile::native_ref(),
        customers: None,
        encoding: sla_report::ingest::Encoding::Utf8,
        zone: InputZone::new(chrono_tz::Europe::Bratislava),
        as_of,
        delimiter,
        period: None,
        on_bytes: None,
        max_record: ingest::DEFAULT_MAX_RECORD,
    };
    ingest::load(
        &[t.to_str().unwrap().to_string()],
        &[c.to_str().unwrap().to_string()],
        &opts,
    )
}

fn check_dataset(ds: &Dataset) -> Result<(), TestCaseError> {
    for (i, f) in ds.files.iter().enumerate() {
        prop_assert_eq!(f.counts.outside, 0, "no period selected");
        prop_assert_eq!(
            f.counts.read,
            f.counts.accepted + f.counts.rejected + f.counts.skipped,
            "{}",
            f.path
        );
        let listed = ds.rejects.iter().filter(|r| r.file == i).count() as u64;
        prop_assert_eq!(f.counts.rejected, listed);
        let lines: Vec<u64> = ds
            .rejects
            .iter()
            .filter(|r| r.file == i)
            .map(|r| r.line)
            .collect();
        prop_assert!(
            lines.windows(2).all(|w| w[0] < w[1]),
            "line order {:?}",
            lines
        );
        prop_assert!(lines.iter().all(|&l| l >= 2));
    }
    prop_assert_eq!(ds.tickets.len() as u64, ds.files[0].counts.accepted);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(512)))]

    /// Arbitrary bytes as ticket and change files: never a panic; either a
    /// fatal error naming the file, or rows whose accounting holds.
    #[test]
    fn arbitrary_bytes_never_panic(
        tickets in hostile_file(TICKET_HEADERS),
        changes in hostile_file(CHANGE_HEADERS),
        as_of in prop::option::of(1_772_000_000i64..1_773_000_000),
        delimiter in prop::sample::select(vec![None, Some(b','), Some(b';')]),
    ) {
        let dir = temp_dir("bytes");
        match load_bytes(&dir, &tickets, &changes, as_of, delimiter) {
            Ok(ds) => check_dataset(&ds)?,
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(msg.contains("tickets.csv") || msg.contains("changes.csv"), "{}", msg);
            }
        }
    }
}

/// Rows that always parse (and are accepted), to push a tail past the
/// parallel reader's chunk boundary (1 MiB).
fn filler(bytes: usize) -> (Vec<u8>, u64) {
    let mut v = Vec::with_capacity(bytes + 64);
    let mut n = 0u64;
    while v.len() < bytes {
        v.extend_from_slice(format!("F-{n},2026-03-02T08:00:00Z,,Advanced,1,\n").as_bytes());
        n += 1;
    }
    (v, n)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(32)))]

    /// The parallel reader splits big files into chunks at record
    /// boundaries: a hostile tail read after ~1 MiB of plain rows (so that a
    /// chunk boundary falls somewhere inside it) gives the same rejects and
    /// tickets, lines shifted, as the tail read alone.
    #[test]
    fn chunk_boundaries_do_not_change_what_is_read(
        pieces in prop::collection::vec(prop::sample::select(PIECES), 1..400),
        before in 0usize..2_000,
    ) {
        let header: &[u8] = TICKET_HEADERS[0];
        let mut tail = Vec::new();
        for p in pieces {
            tail.extend_from_slice(p);
        }
        let (fill, fill_rows) = filler((1 << 20) - before);
        let alone = [header, &tail].concat();
        let shifted = [header, &fill, &tail].concat();
        let dir = temp_dir("chunks");
        let a = load_bytes(&dir, &alone, b"ticket_id,changed_at,to_priority\n", None, None);
        let b = load_bytes(&dir, &shifted, b"ticket_id,changed_at,to_priority\n", None, None);
        let (a, b) = match (a, b) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => {
                prop_assert_eq!(a.map(|_| ()).map_err(|e| e.to_string()),
                    b.map(|_| ()).map_err(|e| e.to_string()));
                return Ok(());
            }
        };
        check_dataset(&a)?;
        check_dataset(&b)?;
        let rejects = |ds: &Dataset, shift: u64| -> Vec<(u64, String, String)> {
            ds.rejects
                .iter()
                .filter(|r| r.file == 0)
                .map(|r| (r.line - shift, r.reason.as_str().to_string(), r.record.clone()))
                .collect()
        };
        prop_assert_eq!(rejects(&a, 0), rejects(&b, fill_rows));
        let ids = |ds: &Dataset| -> Vec<String> {
            ds.tickets
                .iter()
                .map(|t| ds.id(t).to_string())
                .filter(|id| !id.starts_with("F-"))
                .collect()
        };
        prop_assert_eq!(ids(&a), ids(&b));
        prop_assert_eq!(a.files[0].counts.read + fill_rows, b.files[0].counts.read);
    }
}

/// Everything a load produced, as comparable text (or the fatal message
/// without the file's folder).
fn summary(result: Result<Dataset, ingest::IngestError>) -> Vec<String> {
    let ds = match result {
        Ok(ds) => ds,
        Err(e) => return vec![format!("E {e}")],
    };
    let mut out: Vec<String> = ds
        .tickets
        .iter()
        .map(|t| {
            format!(
                "T {:?} {} {:?} {} {} {} {:?}",
                ds.id(t),
                t.created,
                t.response,
                t.plan,
                t.submitted,
                t.excluded,
                ds.stage(t)
            )
        })
        .collect();
    out.extend(ds.changes.iter().map(|c| {
        format!(
            "C {} {} {} {:?} {}",
            c.ticket, c.changed_at, c.to, c.from, c.file
        )
    }));
    out.extend(
        ds.rejects
            .iter()
            .map(|r| format!("R {} {} {:?} {:?}", r.file, r.line, r.reason, r.record)),
    );
    out.extend(ds.files.iter().map(|f| {
        format!(
            "F {} {} {} {} {} {} {}",
            f.sha256,
            f.counts.read,
            f.counts.accepted,
            f.counts.rejected,
            f.counts.skipped,
            f.warnings,
            f.kind.as_str()
        )
    }));
    out
}

fn load_sized(
    dir: &std::path::Path,
    tickets: &[u8],
    changes: &[u8],
    delimiter: Option<u8>,
    sizes: Option<ingest::Sizes>,
) -> Vec<String> {
    let t = dir.join("tickets.csv");
    let c = dir.join("changes.csv");
    std::fs::write(&t, tickets).unwrap();
    std::fs::write(&c, changes).unwrap();
    let opts = ReadOptions {
        policy: policy(),
        profile: sla_report::profile::Profile::native_ref(),
        customers: None,
        encoding: sla_report::ingest::Encoding::Utf8,
        zone: InputZone::new(chrono_tz::Europe::Bratislava),
        as_of: Some(1_772_500_000),
        delimiter,
        period: None,
        on_bytes: None,
        max_record: ingest::DEFAULT_MAX_RECORD,
    };
    let paths = (
        vec![t.to_str().unwrap().to_string()],
        vec![c.to_str().unwrap().to_string()],
    );
    summary(match sizes {
        None => ingest::load(&paths.0, &paths.1, &opts),
        Some(sizes) => ingest::load_with(&paths.0, &paths.1, &opts, sizes),
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    /// The streaming reader cuts files into blocks and chunks at record
    /// boundaries it finds itself: hostile bytes read with tiny block and
    /// chunk sizes (so that cuts fall everywhere: inside quotes, between CR
    /// and LF, inside the BOM and the header) give exactly what one big
    /// block gives.
    #[test]
    fn hostile_bytes_read_the_same_whatever_the_block_and_chunk_sizes(
        tickets in hostile_file(TICKET_HEADERS),
        changes in hostile_file(CHANGE_HEADERS),
        block in 1usize..64,
        chunk in 1usize..64,
        delimiter in prop::sample::select(vec![None, Some(b';')]),
    ) {
        let dir = temp_dir("sizes");
        let reference = load_sized(&dir, &tickets, &changes, delimiter, None);
        let small = load_sized(&dir, &tickets, &changes, delimiter, Some(ingest::Sizes { block, chunk }));
        prop_assert_eq!(small, reference);
    }
}

/// The committed hostile corpus, read with tiny blocks and chunks.
#[test]
fn hostile_corpus_reads_the_same_whatever_the_block_and_chunk_sizes() {
    let dir = temp_dir("corpus-sizes");
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile");
    let mut files = 0;
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".csv") || name.contains("expected_rejects") {
            continue;
        }
        files += 1;
        let bytes = std::fs::read(&path).unwrap();
        let changes: &[u8] = b"ticket_id,changed_at,to_priority\nE-1,2026-03-02T08:00Z,1\n";
        for (as_tickets, as_changes) in [(&bytes[..], changes), (TICKET_HEADERS[0], &bytes[..])] {
            for delimiter in [None, Some(b';')] {
                let reference = load_sized(&dir, as_tickets, as_changes, delimiter, None);
                for (block, chunk) in [(1, 1), (2, 3), (5, 2), (17, 64)] {
                    let sizes = ingest::Sizes { block, chunk };
                    let small = load_sized(&dir, as_tickets, as_changes, delimiter, Some(sizes));
                    assert_eq!(small, reference, "{name} block {block} chunk {chunk}");
                }
            }
        }
    }
    assert!(files >= 20, "{files}");
}
