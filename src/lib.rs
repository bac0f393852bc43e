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
mod man;
pub mod okta;
mod output;
mod pipeline;
mod pull;
pub mod record;
pub mod redact;
pub mod report;
pub mod rules;
mod signal;
mod state;
pub mod text;
mod verdict;
pub mod when;

use anyhow::{bail, Context, Result};
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use cli::{Cli, ColorChoice, Command, Diagnose, RulesAction, RulesFormat};
use fail_on::FailOn;
use group::Filter;
use input::InputSpec;
use output::{set_color, Output};
use pipeline::run_pipeline_with;
pub use pipeline::{run_pipeline, Options};
use report::Notes;
use rules::RuleTable;
use verdict::Verdict;

/// Runs one command line; the exit code it asks for, or the error that ends it (exit 2).
pub fn run(cli: Cli) -> Result<ExitCode> {
    let table = RuleTable::load(cli.rules.as_deref())?;
    let mut output = Output::open(cli.diagnose.output.as_deref(), &guarded(&cli))?;
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
            report::rules_warnings(out, &file.display().to_string(), &rules::warnings(&text))?;
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
            man::render(out)?;
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

/// The files a run reads or keeps, which `-o` must not replace: its inputs, the rules file, `--save` and
/// `--state`.
fn guarded(cli: &Cli) -> Vec<&std::path::Path> {
    let mut files: Vec<&std::path::Path> = cli
        .diagnose
        .files
        .iter()
        .map(|f| f.as_path())
        .filter(|f| f.as_os_str() != "-")
        .collect();
    files.extend(cli.rules.as_deref());
    match &cli.command {
        Some(Command::Pull(args)) => files.extend(args.save.iter().chain(&args.state).map(|f| f.as_path())),
        Some(Command::Rules {
            action: Some(RulesAction::Test { file }),
            ..
        }) => files.push(file),
        _ => {}
    }
    files
}

/// True if the error means stdout was closed (`provdiag … | head`): the run then ends quietly.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
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
    let r = &args.report;
    let filter = filter(args)?;
    // The state file's directory and lock are checked before anything is read.
    let carry = args.state.as_deref().map(state::Carry::open).transpose()?;
    let options = r.options(args.input, to_terminal, filter)?;
    let mut verdict = Verdict::new(fail_on, r.include_resolved, carry);
    let report = run_pipeline_with(&inputs, &options, table, out, &mut verdict)?;
    Ok(verdict.finish(&report))
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
