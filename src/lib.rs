//! provdiag's pipeline: read → normalize → match → group → report. `run` is the only place that knows
//! every stage.

pub mod cli;
mod fail_on;
pub mod group;
pub mod input;
mod man;
mod output;
mod pipeline;
mod pull;
pub mod record;
pub mod redact;
pub mod report;
pub mod rules;
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
            report::rules_warnings(out, &file.display().to_string(), &rules::lint::warnings(&text))?;
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
        Some(Command::Pull(args)) => {
            set_color(args.report.color, to_terminal);
            pull::run(&args, &table, to_terminal, out)?
        }
        None => {
            set_color(cli.diagnose.report.color, to_terminal);
            diagnose(&cli.diagnose, &table, to_terminal, out)?
        }
    };
    output.finish()?;
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
    let options = Options::new(args.input, &args.report, to_terminal, filter(args)?)?;
    let report = run_pipeline(&inputs, &options, table, out)?;
    Ok(exit_code(&report, &fail_on, args.report.include_resolved))
}

/// The exit code a finished run asks for (spec, "Exit codes").
fn exit_code(report: &Report, fail_on: &FailOn, include_resolved: bool) -> ExitCode {
    if report.unreadable_inputs > 0 {
        ExitCode::from(2)
    } else if fail_on.selects(report, include_resolved) {
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
    Ok(Filter {
        since: at("--since", &args.since)?,
        until: at("--until", &args.until)?,
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
    /// `--brief`: text and markdown print the overview and the figures only.
    pub brief: bool,
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
            brief: report.brief,
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
            Err(ReadFail::Stop) => return Err(pipeline.stop_reason()),
            Err(ReadFail::Input(e)) => pipeline.unreadable(&e),
        }
        pipeline.input_done(&spec.name());
    }
    Ok(pipeline.finish()?)
}
