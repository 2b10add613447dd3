//! Random samples in each helpdesk's shape give the report of the same
//! tickets in native form: `sample --format zendesk|freshdesk` against the
//! sample's native twin (`sample::write_native_twin`), in every mode.

use std::path::Path;

use proptest::prelude::*;
use sla_report::sample::{self, Format, SampleConfig};

use crate::common::{cases, json, read, rows, scratch_in, sla, stderr};

const MODES: [&str; 4] = ["current", "prorata", "restart", "initial"];
const SAME: [&str; 3] = ["tickets.csv", "summary.csv", "reclassifications.csv"];

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn run(out: &Path, inputs: &[&str], mode: &str) {
    let mut args = vec![
        "run",
        "--no-charts",
        "--reclassification",
        mode,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(inputs);
    let done = sla(&args);
    assert!(done.status.success(), "{args:?}: {}", stderr(&done));
}

fn same_report_as_the_native_twin(cfg: &SampleConfig, format: Format, name: &str) {
    let dir = scratch_in("imports_property", name);
    let (shaped, twin) = (dir.join("shaped"), dir.join("native"));
    let sampled = sla(&[
        "sample",
        "--format",
        match format {
            Format::Zendesk => "zendesk",
            _ => "freshdesk",
        },
        "--tickets",
        &cfg.tickets.to_string(),
        "--seed",
        &cfg.seed.to_string(),
        "--start",
        &cfg.start.to_string(),
        "--months",
        &cfg.months.to_string(),
        "--out",
        shaped.to_str().unwrap(),
    ]);
    assert!(sampled.status.success(), "{}", stderr(&sampled));
    sample::write_native_twin(cfg, format, &twin, false).unwrap();

    let file = |d: &Path, f: &str| d.join(f).to_str().unwrap().to_string();
    let files = format.files();
    let (format_name, zone) = (
        if format == Format::Zendesk {
            "zendesk"
        } else {
            "freshdesk"
        },
        format.zone().unwrap(),
    );
    let shaped_args = [
        "--format".to_string(),
        format_name.to_string(),
        "--input-tz".to_string(),
        zone.to_string(),
        "--customers".to_string(),
        file(&shaped, files[1]),
        "--tickets".to_string(),
        file(&shaped, files[0]),
        "--changes".to_string(),
        file(&shaped, files[2]),
    ];
    let twin_args = [
        "--tickets".to_string(),
        file(&twin, "tickets.csv"),
        "--changes".to_string(),
        file(&twin, "priority_changes.csv"),
    ];
    for mode in MODES {
        let (a, b) = (
            dir.join(format!("{mode}-shaped")),
            dir.join(format!("{mode}-native")),
        );
        run(&a, &strs(&shaped_args), mode);
        run(&b, &strs(&twin_args), mode);
        for f in SAME {
            assert_eq!(read(&a, f), read(&b, f), "{name} {mode}: {f}");
        }
        // nothing of the sample is lost or doubted on the way in
        assert!(rows(&a, "rejects.csv").is_empty(), "{name} {mode}: rejects");
        let files = json(&a)["files"].clone();
        assert_eq!(files[1]["export_priority_mismatches"], 0, "{files}");
        assert!(files[1]["records_ignored"].as_u64().unwrap() > 0, "{files}");
    }
}

proptest! {
    // each case runs the binary 18 times on up to 2,500 tickets
    #![proptest_config(ProptestConfig::with_cases(cases(3)))]

    #[test]
    fn a_sample_in_each_helpdesk_shape_gives_the_report_of_its_native_twin(
        seed in any::<u64>(),
        tickets in 1usize..2_500,
        year in 2024i32..2028,
        month in 1u32..=12,
        months in 1u32..=3,
    ) {
        let cfg = SampleConfig {
            tickets,
            seed,
            start: chrono::NaiveDate::from_ymd_opt(year, month, 1).unwrap(),
            months,
        };
        same_report_as_the_native_twin(&cfg, Format::Zendesk, "zendesk");
        same_report_as_the_native_twin(&cfg, Format::Freshdesk, "freshdesk");
    }
}
