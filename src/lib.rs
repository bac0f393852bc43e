//! provdiag's pipeline: read → normalize → match → group → report. `run` is the only place that knows
//! every stage.

pub mod cli;
pub mod diagnosis;
mod fail_on;
pub mod input;
mod pipeline;
pub mod record;
pub mod redact;
pub mod report;
pub mod rules;
pub mod when;

use anyhow::{Context, Result};
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use cli::{Cli, ColorChoice, Command, Diagnose, RulesAction, RulesFormat};
use diagnosis::Diagnosis;
use fail_on::FailOn;
use input::{InputSpec, ReadFail};
use pipeline::Pipeline;
use report::Notes;
use rules::RuleTable;

/// Runs one command line; the exit code it asks for, or the error that ends it (exit 2).
pub fn run(cli: Cli) -> Result<ExitCode> {
    let table = RuleTable::load(cli.rules.as_deref())?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(64 << 10, stdout.lock());
    match cli.command {
        Some(Command::Explain { cause }) => {
            set_color(ColorChoice::Auto);
            report::explain(&mut out, &table, &cause)?;
        }
        Some(Command::Rules {
            action: Some(RulesAction::Test { file }),
            ..
        }) => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read rules file {}", file.display()))?;
            let (n, problems) = rules::check_file(&text);
            let sound = report::rules_test(&mut out, &file.display().to_string(), n, &problems)?;
            out.flush()?;
            return Ok(if sound {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            });
        }
        Some(Command::Rules { format, .. }) => {
            set_color(ColorChoice::Auto);
            report::rules(&mut out, &table, format == RulesFormat::Json)?;
        }
        Some(Command::Completions { shell }) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "provdiag", &mut out);
        }
        None => {
            let code = diagnose(&cli.diagnose, &table, &mut out)?;
            out.flush()?;
            return Ok(code);
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// True if the error means stdout was closed (`provdiag … | head`): the run then ends quietly.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn set_color(choice: ColorChoice) {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if env("NO_COLOR").is_some() => false,
        ColorChoice::Auto if env("CLICOLOR_FORCE").is_some_and(|v| v != "0") => true,
        ColorChoice::Auto => io::stdout().is_terminal(),
    };
    colored::control::set_override(on);
}

fn diagnose(args: &Diagnose, table: &RuleTable, out: &mut dyn Write) -> Result<ExitCode> {
    set_color(args.color);
    let fail_on = FailOn::parse(&args.fail_on, table)?;
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
    if inputs.is_empty() {
        if io::stdin().is_terminal() {
            Notes::hint_stdin();
        }
        inputs.push(InputSpec::Stdin);
    }
    let options = Options {
        input: args.input,
        format: args.format,
        strict: args.strict,
        redact: args.redact,
    };
    let diagnosis = diagnose_inputs(&inputs, &options, table, out)?;
    Ok(if diagnosis.unreadable_inputs > 0 {
        ExitCode::from(2)
    } else if fail_on.selects(&diagnosis) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// How to read and report, for `diagnose_inputs`.
pub struct Options {
    pub input: input::InputFormat,
    pub format: report::OutputFormat,
    pub strict: bool,
    pub redact: bool,
}

/// Reads every input in turn into one diagnosis and writes the report to `out`; an input that cannot be read
/// at all is reported and counted, and the others are read. Errors end the run: a
/// malformed record under `--strict`, or a failed write (a closed stdout among them).
pub fn diagnose_inputs(
    inputs: &[InputSpec],
    options: &Options,
    table: &RuleTable,
    out: &mut dyn Write,
) -> Result<Diagnosis> {
    let mut pipeline = Pipeline::new(table, options, out);
    for spec in inputs {
        match input::read_input(spec, options.input, &mut pipeline) {
            Ok(()) => {}
            Err(ReadFail::Stop) => return Err(pipeline.stop_reason()),
            Err(ReadFail::Input(e)) => pipeline.unreadable(&e),
        }
    }
    Ok(pipeline.finish()?)
}
