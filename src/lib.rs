//! provdiag's pipeline: read → normalize → match → group → report. `run` is the only place that knows
//! every stage.

/// Like std's `eprintln!`, except that a closed stderr costs only the message: std's panics, and a panic
/// is exit 101, which no run may end with (spec, "Exit codes"). Defined before the modules, so that every
/// module's `eprintln!` is this one.
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `eprint!`, for a closed stderr as `eprintln!` above.
macro_rules! eprint {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

pub mod cli;
mod fail_on;
pub mod group;
pub mod input;
mod output;
mod pipeline;
mod pull;
pub mod record;
pub mod redact;
pub mod report;
pub mod rules;
mod state;
mod verdict;
pub mod when;

use anyhow::{bail, Context, Result};
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use cli::{Cli, ColorChoice, Command, Diagnose, RulesAction, RulesFormat};
use fail_on::FailOn;
use group::{Filter, Report};
use input::{InputSpec, ReadFail};
use output::{set_color, Output};
use pipeline::Pipeline;
use redact::RedactKey;
use report::Notes;
use rules::RuleTable;
use verdict::Verdict;

/// Runs one command line; the exit code it asks for, or the error that ends it (exit 2).
pub fn run(cli: Cli) -> Result<ExitCode> {
    let table = RuleTable::load(cli.rules.as_deref())?;
    let mut output = Output::open(cli.diagnose.output.as_deref())?;
    let to_terminal = output.to_terminal();
    let out = output.writer();
    let code = match cli.command {
        Some(Command::Explain { cause }) => {
            set_color(ColorChoice::Auto, to_terminal);
            report::explain(out, table.lookup(&cause)?)?;
            ExitCode::SUCCESS
        }
        Some(Command::Rules {
            action: Some(RulesAction::Test { file }),
            ..
        }) => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read rules file {}", file.display()))?;
            let (n, problems) = rules::check_file(&text);
            if report::rules_test(out, &file.display().to_string(), n, &problems)? {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            }
        }
        Some(Command::Rules { format, .. }) => {
            set_color(ColorChoice::Auto, to_terminal);
            report::rules(out, &table, format == RulesFormat::Json)?;
            ExitCode::SUCCESS
        }
        Some(Command::Completions { shell }) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "provdiag", out);
            ExitCode::SUCCESS
        }
        Some(Command::Man) => {
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(out)?;
            ExitCode::SUCCESS
        }
        Some(Command::Ack(args)) => {
            let cause = match rules::normalize_id(&args.cause).as_str() {
                "unrecognized" | "unrecognised" => None,
                _ => Some(table.lookup(&args.cause)?.id.clone()),
            };
            let said = state::acknowledge(
                &args.state,
                cause.as_deref(),
                args.app.as_deref(),
                &args.until,
                &args.reason,
            )?;
            writeln!(out, "{}", report::clean(&said))?;
            ExitCode::SUCCESS
        }
        Some(Command::Pull(args)) => {
            set_color(args.report.color, to_terminal);
            pull::run(&args, &table, to_terminal, out)?
        }
        None => {
            set_color(cli.diagnose.report.color, to_terminal);
            diagnose(&cli.diagnose, &table, to_terminal, out)?
        }
    };
    match output.finish() {
        // `provdiag … | head`: the reader has what it wanted; the exit code still says what was found.
        Err(e) if is_broken_pipe(&e) => {}
        finished => finished?,
    }
    Ok(code)
}

/// True if the error means stdout was closed (`provdiag … | head`): the run then ends quietly.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// The key `--redact` makes pseudonyms with: PROVDIAG_REDACT_KEY, else a random one for this run (said on
/// stderr, since pseudonyms then differ from run to run).
fn redact_key() -> Result<RedactKey> {
    match std::env::var_os("PROVDIAG_REDACT_KEY").filter(|k| !k.is_empty()) {
        Some(key) => Ok(RedactKey::new(key.as_encoded_bytes())),
        None => {
            Notes::random_redact_key();
            RedactKey::random()
        }
    }
}

fn diagnose(args: &Diagnose, table: &RuleTable, to_terminal: bool, out: &mut dyn Write) -> Result<ExitCode> {
    let fail_on = FailOn::parse(&args.report.fail_on, table)?;
    let mut inputs: Vec<InputSpec> = args
        .messages
        .iter()
        .map(|m| InputSpec::Message(m.clone().into_bytes()))
        .collect();
    for f in &args.files {
        inputs.push(if f.as_os_str() == "-" {
            InputSpec::Stdin
        } else {
            InputSpec::Path(f.clone())
        });
    }
    message_without_m(args)?;
    if inputs.is_empty() {
        if io::stdin().is_terminal() {
            Notes::hint_stdin();
        }
        inputs.push(InputSpec::Stdin);
    }
    let filter = filter(args)?;
    // The state file's directory and lock are checked before anything is read.
    let carry = args.state.as_deref().map(state::Carry::open).transpose()?;
    let options = Options::new(args.input, &args.report, to_terminal, filter)?;
    let mut verdict = Verdict::new(fail_on, args.report.include_resolved, carry);
    let report = run_pipeline_with(&inputs, &options, table, out, &mut verdict)?;
    let saved = save_state(&verdict);
    Ok(if saved {
        exit_code(&report, &verdict)
    } else {
        ExitCode::from(2)
    })
}

/// Writes the state back once the report is out; false (said on stderr) if it cannot be: the report stands,
/// and the run ends with 2, since the next one would not know what this one saw.
pub(crate) fn save_state(verdict: &Verdict) -> bool {
    match verdict.carry.as_ref().map(state::Carry::save) {
        Some(Err(e)) => {
            Notes::default().unreadable(&e);
            false
        }
        _ => true,
    }
}

/// The exit code a finished run asks for (spec, "Exit codes").
pub(crate) fn exit_code(report: &Report, verdict: &Verdict) -> ExitCode {
    if report.unreadable_inputs > 0 {
        ExitCode::from(2)
    } else if verdict.fails {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `--since`, `--until` and `--app` as the group stage's filter.
fn filter(args: &Diagnose) -> Result<Filter> {
    let now = jiff::Timestamp::now();
    let at = |flag: &str, value: &Option<String>| -> Result<Option<jiff::Timestamp>> {
        value
            .as_deref()
            .map(|v| when::parse(v, now).with_context(|| format!("invalid {flag}")))
            .transpose()
    };
    let (since, until) = (at("--since", &args.since)?, at("--until", &args.until)?);
    if let (Some(since), Some(until)) = (since, until) {
        if until <= since {
            bail!("--until ({until}) is not after --since ({since}): the window would keep nothing");
        }
    }
    Ok(Filter {
        since,
        until,
        apps: args.report.apps.clone(),
    })
}

/// How to read and report, for `run_pipeline`.
pub struct Options {
    pub input: input::InputFormat,
    pub format: report::OutputFormat,
    pub strict: bool,
    /// `--redact`, with the key pseudonyms are made with.
    pub redact: Option<RedactKey>,
    /// The report goes to a terminal: the text report wraps to its width.
    pub to_terminal: bool,
    /// `--since`, `--until` and `--app`.
    pub filter: Filter,
}

impl Options {
    fn new(
        input: input::InputFormat,
        report: &cli::ReportOptions,
        to_terminal: bool,
        filter: Filter,
    ) -> Result<Self> {
        Ok(Self {
            input,
            format: report.format,
            strict: report.strict,
            redact: if report.redact { Some(redact_key()?) } else { None },
            to_terminal,
            filter,
        })
    }
}

/// A message typed without `-m` (`provdiag Automatic provisioning of user …` unquoted): several FILE
/// arguments, none of them a file, is a usage error that says how to pass a message. One missing FILE
/// gets its hint where it is read.
fn message_without_m(args: &Diagnose) -> Result<()> {
    let missing = |f: &&std::path::PathBuf| f.as_os_str() != "-" && !f.exists();
    if args.files.len() >= 3 && args.files.iter().all(|f| missing(&f)) {
        bail!(
            "none of the {} FILE arguments exists (the first: {}); to diagnose a message, quote it and pass it with -m: provdiag -m \"Automatic provisioning of user …\"",
            args.files.len(),
            report::clean(&args.files[0].display().to_string())
        );
    }
    Ok(())
}

/// Reads every input in turn, groups what it read into one report and writes it to `out`; an input that
/// cannot be read at all is reported and counted, and the others are read. Errors end the run: a
/// malformed record under `--strict`, or a failed write (a closed stdout among them).
pub fn run_pipeline(
    inputs: &[InputSpec],
    options: &Options,
    table: &RuleTable,
    out: &mut dyn Write,
) -> Result<Report> {
    run_pipeline_with(inputs, options, table, out, &mut Verdict::default())
}

/// `run_pipeline`, with the verdict (`--fail-on`, `--state`) applied to the report before it is written.
fn run_pipeline_with(
    inputs: &[InputSpec],
    options: &Options,
    table: &RuleTable,
    out: &mut dyn Write,
    verdict: &mut Verdict,
) -> Result<Report> {
    let reading = input::ReadOptions::new(options.input)?;
    let mut pipeline = Pipeline::new(table, options, out);
    for spec in inputs {
        pipeline.begin_input(matches!(spec, InputSpec::Stdin));
        match input::read_input(spec, &reading, &mut pipeline) {
            Ok(()) => {
                if let Some(e) = pipeline.none_readable(&spec.name()) {
                    pipeline.unreadable(&e);
                }
            }
            // A closed stdout ends the reading; the exit code is what was read so far asks for.
            Err(ReadFail::Stop) if pipeline.closed() => break,
            Err(ReadFail::Stop) => return Err(pipeline.stop_reason()),
            Err(ReadFail::Input(e)) => pipeline.unreadable(&e),
        }
        pipeline.input_done(&spec.name());
    }
    Ok(pipeline.finish_with(verdict)?)
}
