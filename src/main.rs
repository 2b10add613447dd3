//! Thin entry point: parse flags, resolve them, run, map errors to exit codes
//! (0 ok, 1 fatal, 2 usage, 3 rejected rows under --strict).
//!
//! Terminal output goes through [`emit`], never `print!` (which panics when
//! stdout is full): a closed pipe ends the output quietly, any other write
//! failure is fatal. Messages are passed through [`escape`], as
//! they may quote data (ids, header names, paths).

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use sla_report::cli::{self, Cli, CliError, Command};
use sla_report::terminal::{escape, escape_lines};
use sla_report::{explain, inspect, pipeline, policy, sample};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            if let Some(hint) = argument_hint(&e) {
                let _ = write!(io::stderr(), "{}", e.render());
                let _ = writeln!(io::stderr(), "\n{hint}");
                return ExitCode::from(2);
            }
            // `--help > /dev/full` fails like any other output
            return match e.print() {
                Err(e) if code == 0 && e.kind() != io::ErrorKind::BrokenPipe => {
                    let _ = writeln!(
                        io::stderr(),
                        "sla-report: error: {}",
                        write_error("stdout", &e)
                    );
                    ExitCode::from(1)
                }
                _ => ExitCode::from(code),
            };
        }
    };
    let (kind, msg, code) = match run(cli) {
        Ok(code) => return ExitCode::from(code),
        Err(CliError::Usage(msg)) => ("usage error", msg, 2),
        Err(CliError::Fatal(msg)) => ("error", msg, 1),
    };
    // nothing more to do when stderr cannot take the message either
    let _ = writeln!(io::stderr(), "sla-report: {kind}: {}", escape(&msg));
    ExitCode::from(code)
}

/// A word more for a stray file name on the command line (`run
/// tickets.csv`, or `--tickets *.csv` expanded by the shell): every input
/// file needs its own flag.
fn argument_hint(e: &clap::Error) -> Option<&'static str> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if e.kind() != ErrorKind::UnknownArgument {
        return None;
    }
    match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(arg)) if !arg.starts_with('-') => Some(
            "hint: each input file needs its own flag: --tickets a.csv --tickets b.csv \
             (and --changes for priority histories); a shell pattern like --tickets *.csv \
             gives the flag to the first file only",
        ),
        _ => None,
    }
}

/// Where [`emit`] writes.
#[derive(Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
}

/// Writes `text` to stdout or stderr and flushes it. A reader that went
/// away (`| head`) has what it wanted: the output stops quietly and the
/// command keeps its exit status (Rust ignores SIGPIPE, so a closed pipe is
/// a `BrokenPipe` error, as ripgrep's `main` handles it). Any other failure
/// (`> /dev/full`) is fatal.
fn emit(stream: Stream, text: &str) -> Result<(), CliError> {
    let (name, result) = match stream {
        Stream::Stdout => {
            let mut out = io::stdout().lock();
            (
                "stdout",
                out.write_all(text.as_bytes()).and_then(|()| out.flush()),
            )
        }
        Stream::Stderr => {
            let mut err = io::stderr().lock();
            (
                "stderr",
                err.write_all(text.as_bytes()).and_then(|()| err.flush()),
            )
        }
    };
    match result {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(CliError::Fatal(write_error(name, &e)))
        }
        _ => Ok(()),
    }
}

fn write_error(stream: &str, e: &io::Error) -> String {
    format!("cannot write to {stream}: {e}")
}

fn run(cli: Cli) -> Result<u8, CliError> {
    match cli.command {
        Command::Policy => {
            emit(Stream::Stdout, policy::DEFAULT_POLICY_TOML)?;
            Ok(0)
        }
        Command::Profile(args) => {
            emit(Stream::Stdout, args.name.text())?;
            Ok(0)
        }
        Command::Sample(args) => {
            write_sample(&args)?;
            Ok(0)
        }
        Command::Inspect(args) => {
            let read = cli::resolve_read(&args.read)?;
            let setup = inspect::Setup {
                opts: read.read_options(),
                input_tz: read.input_tz,
                given: args.read.shape_flag(),
            };
            let inspection = inspect::inspect(&args.files, &setup);
            emit(Stream::Stdout, &inspection.text)?;
            // the run's own message, on stderr as the run gives it
            inspection.fatal.map_or(Ok(0), |m| Err(CliError::Fatal(m)))
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
            emit(Stream::Stdout, &text)?;
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
                emit(
                    Stream::Stderr,
                    &format!("sla-report: time per stage\n{}", timings.render()),
                )?;
            }
            let mut text = escape_lines(&summary.counts);
            if !cfg.policy.defaulted.is_empty() {
                text += &format!(
                    "sla-report: note: the policy file leaves out {}: they take the built-in \
                     policy's values (`sla-report policy` shows them; recorded in run.json)\n",
                    cfg.policy.defaulted.join(", ")
                );
            }
            if summary.warnings > 0 {
                text += &format!(
                    "sla-report: {} from_priority warning(s): changes whose from_priority disagreed \
                     with the replayed priority (they still applied); see warnings.csv\n",
                    summary.warnings
                );
            }
            if summary.export_mismatches > 0 {
                text += &format!(
                    "sla-report: {} ticket(s) whose history ends on another priority than the \
                     export's (the history wins); see warnings.csv\n",
                    summary.export_mismatches
                );
            }
            if summary.offsetless > 0 && !cfg.input_tz_chosen {
                text += &format!(
                    "sla-report: warning: {} timestamp(s) without an offset were read as UTC; \
                     if the export is in local time, give its zone with --input-tz \
                     (e.g. --input-tz Europe/Stockholm)\n",
                    summary.offsetless
                );
            }
            text += &escape_lines(&summary.rejects);
            if strict && summary.rejected > 0 {
                text += &format!(
                    "sla-report: exit status 3: {} rows rejected under --strict (the report was written)\n",
                    summary.rejected
                );
            }
            emit(Stream::Stderr, &text)?;
            Ok(if strict && summary.rejected > 0 { 3 } else { 0 })
        }
    }
}

/// `sla-report sample`: writes the files of the format.
fn write_sample(args: &cli::SampleArgs) -> Result<(), CliError> {
    let start = sla_report::timestamp::parse_day(&args.start).ok_or_else(|| {
        CliError::Usage(format!(
            "--start '{}': not a date (use YYYY-MM-DD)",
            args.start
        ))
    })?;
    let cfg = sample::SampleConfig {
        tickets: args.tickets,
        seed: args.seed,
        start,
        months: args.months,
    };
    let format = match args.format {
        cli::FormatArg::Native => sample::Format::Native,
        cli::FormatArg::Zendesk => sample::Format::Zendesk,
        cli::FormatArg::Freshdesk => sample::Format::Freshdesk,
    };
    let (stats, paths) =
        sample::write_folder(&cfg, format, &args.out, args.force).map_err(|e| match e {
            sample::SampleError::Config(msg) => CliError::Usage(msg),
            e => CliError::Fatal(e.to_string()),
        })?;
    let path = |i: usize| escape(&paths[i].display().to_string()).to_string();
    let message = match (format.zone(), paths.len()) {
        (Some(zone), 3) => format!(
            "sla-report: wrote {} tickets to {}, {} organizations to {} and {} history records \
             ({} priority changes) to {}; the ticket times are wall times in {zone}:\n  \
             sla-report run --format {} --input-tz {zone} --customers {} --tickets {} --changes {}\n",
            stats.tickets,
            path(0),
            sample::ORGANIZATIONS,
            path(1),
            stats.history,
            stats.changes,
            path(2),
            args.format.as_str(),
            path(1),
            path(0),
            path(2),
        ),
        _ => format!(
            "sla-report: wrote {} tickets to {} and {} priority changes to {}\n",
            stats.tickets,
            path(0),
            stats.changes,
            path(1)
        ),
    };
    emit(Stream::Stderr, &message)
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
