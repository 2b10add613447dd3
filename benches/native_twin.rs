//! Writes the native twin of a helpdesk sample (`sla_report::sample::
//! write_native_twin`): the tickets of `sla-report sample --format FORMAT`
//! in native columns, for the benchmark's native run of the same tickets.
//!
//!     cargo bench --bench native_twin -- FORMAT TICKETS SEED START MONTHS OUT

use sla_report::sample::{self, Format, SampleConfig};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let [format, tickets, seed, start, months, out] = &args[..] else {
        eprintln!("usage: native_twin zendesk|freshdesk TICKETS SEED YYYY-MM-DD MONTHS OUT");
        std::process::exit(2);
    };
    let format = match format.as_str() {
        "zendesk" => Format::Zendesk,
        "freshdesk" => Format::Freshdesk,
        _ => Format::Native,
    };
    let cfg = SampleConfig {
        tickets: tickets.parse().expect("TICKETS"),
        seed: seed.parse().expect("SEED"),
        start: sla_report::timestamp::parse_day(start).expect("START"),
        months: months.parse().expect("MONTHS"),
    };
    if let Err(e) = sample::write_native_twin(&cfg, format, out.as_ref(), true) {
        eprintln!("native_twin: {e}");
        std::process::exit(1);
    }
}
