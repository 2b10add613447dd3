//! Thin entry point: parse flags, resolve them, run, map errors to exit codes
//! (0 ok, 1 fatal, 2 usage, 3 rejected rows under --strict).

use std::process::ExitCode;

use clap::Parser;

use sla_report::cli::{self, Cli, CliError, Command};
use sla_report::{explain, pipeline, policy, sample};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(CliError::Usage(msg)) => {
            eprintln!("sla-report: usage error: {msg}");
            ExitCode::from(2)
        }
        Err(CliError::Fatal(msg)) => {
            eprintln!("sla-report: error: {msg}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<u8, CliError> {
    match cli.command {
        Command::Policy => {
            print!("{}", policy::DEFAULT_POLICY_TOML);
            Ok(0)
        }
        Command::Sample(args) => {
            write_sample(&args).map_err(CliError::Fatal)?;
            Ok(0)
        }
        Command::Explain(args) => {
            let cfg = cli::resolve_input(&args.input)?;
            let modes = if args.all_modes {
                policy::Mode::ALL.to_vec()
            } else {
                vec![cfg.mode]
            };
            let text = explain::explain(&cfg, &args.ticket_id, &modes)
                .map_err(|e| CliError::Fatal(e.to_string()))?;
            print!("{text}");
            Ok(0)
        }
        Command::Run(args) => {
            let strict = args.strict;
            let cfg = cli::resolve_run(&args)?;
            let mut timings = pipeline::Timings::default();
            if !args.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
                timings.progress = Some(Box::new(Bar::new()));
            }
            let summary =
                pipeline::run(&cfg, &mut timings).map_err(|e| CliError::Fatal(e.to_string()))?;
            if args.timings {
                eprint!("sla-report: time per stage\n{}", timings.render());
            }
            eprintln!(
                "sla-report: {} tickets evaluated, {} rows rejected, {} skipped (after as-of), {} outside the period, {} from_priority warnings; reports in {}",
                summary.tickets,
                summary.rejected,
                summary.skipped,
                summary.outside,
                summary.warnings,
                summary.out.display()
            );
            Ok(if strict && summary.rejected > 0 { 3 } else { 0 })
        }
    }
}

/// `sla-report sample`: writes tickets.csv and priority_changes.csv.
fn write_sample(args: &cli::SampleArgs) -> Result<(), String> {
    use std::io::{BufWriter, Write};
    let start = sla_report::timestamp::parse_day(&args.start)
        .ok_or_else(|| format!("--start '{}': not a date (YYYY-MM-DD)", args.start))?;
    let dir = &args.out;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let open = |name: &str| {
        let path = dir.join(name);
        std::fs::File::create(&path)
            .map(|f| (BufWriter::with_capacity(1 << 20, f), path.clone()))
            .map_err(|e| format!("{}: cannot write: {e}", path.display()))
    };
    let (mut tickets, tickets_path) = open("tickets.csv")?;
    let (mut changes, changes_path) = open("priority_changes.csv")?;
    let cfg = sample::SampleConfig {
        tickets: args.tickets,
        seed: args.seed,
        start,
        months: args.months,
    };
    let stats = sample::generate(&cfg, &mut tickets, &mut changes)
        .and_then(|s| tickets.flush().and(changes.flush()).map(|_| s))
        .map_err(|e| format!("{}: cannot write: {e}", dir.display()))?;
    eprintln!(
        "sla-report: wrote {} tickets to {} and {} priority changes to {}",
        stats.tickets,
        tickets_path.display(),
        stats.changes,
        changes_path.display()
    );
    Ok(())
}

/// The progress bar on stderr (only when stderr is a terminal).
struct Bar {
    bar: indicatif::ProgressBar,
}

impl Bar {
    fn new() -> Bar {
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
        Bar { bar }
    }
}

impl pipeline::Progress for Bar {
    fn stage(&self, name: &'static str, total: Option<u64>) {
        match total {
            Some(total) => {
                self.bar.set_length(total);
                self.bar.set_position(0);
                self.bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{msg:>16} [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
            }
            None => {
                self.bar.set_style(
                    indicatif::ProgressStyle::with_template("{msg:>16} {spinner} {elapsed}")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
                );
                self.bar
                    .enable_steady_tick(std::time::Duration::from_millis(120));
            }
        }
        self.bar.set_message(name);
    }

    fn advance(&self, n: u64) {
        self.bar.inc(n);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
