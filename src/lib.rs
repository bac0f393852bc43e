//! provdiag's pipeline: read → normalize → match → group → report. `run` is the only place that knows
//! every stage.

pub mod cli;
pub mod diagnosis;
pub mod input;
pub mod record;
pub mod redact;
pub mod report;
pub mod rules;

use anyhow::{anyhow, bail, Result};
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use cli::{Cli, ColorChoice, Command, Diagnose, RulesFormat};
use diagnosis::{Diagnosis, Seen};
use input::{InputSpec, ReadFail, Sink, Stop};
use record::{EventKey, Finding, InputError, Record};
use redact::Redactor;
use report::{Notes, Progress, Writer};
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
        Some(Command::Rules { format }) => {
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

/// Which failures make the exit code 1.
enum FailOn {
    Any,
    Unrecognized,
    Nothing,
    Causes(Vec<String>),
}

impl FailOn {
    fn parse(value: &str, table: &RuleTable) -> Result<Self> {
        Ok(match value.trim() {
            "any" => FailOn::Any,
            "unrecognized" => FailOn::Unrecognized,
            "none" => FailOn::Nothing,
            list => {
                let ids: Vec<String> = list
                    .split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect();
                if ids.is_empty() {
                    bail!("--fail-on needs any, unrecognized, none, or cause ids");
                }
                if let Some(bad) = ids.iter().find(|id| table.get(id).is_none()) {
                    bail!(
                        "unknown cause '{}' in --fail-on; use any, unrecognized, none, or one of: {}",
                        report::clean(bad),
                        table.ids().join(", ")
                    );
                }
                FailOn::Causes(ids)
            }
        })
    }

    fn selects(&self, d: &Diagnosis) -> bool {
        let s = &d.summary;
        match self {
            FailOn::Any => s.failures > 0,
            FailOn::Unrecognized => s.unrecognized > 0,
            FailOn::Nothing => false,
            FailOn::Causes(ids) => ids.iter().any(|id| s.by_cause.contains_key(id)),
        }
    }
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
    let outcome = diagnose_inputs(&inputs, &options, table, out)?;
    Ok(if outcome.unreadable {
        ExitCode::from(2)
    } else if fail_on.selects(&outcome.diagnosis) {
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

/// What a diagnosis run found, and whether some input could not be read at all.
pub struct Outcome {
    pub diagnosis: Diagnosis,
    pub unreadable: bool,
}

/// Reads every input in turn into one diagnosis and writes the report to `out`. Errors end the run: a
/// malformed record under `--strict`, or a failed write (a closed stdout among them).
pub fn diagnose_inputs(
    inputs: &[InputSpec],
    options: &Options,
    table: &RuleTable,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let mut pipeline = Pipeline {
        table,
        diagnosis: Diagnosis::default(),
        writer: report::writer(options.format),
        out,
        redactor: options.redact.then(Redactor::default),
        notes: Notes::default(),
        progress: Progress::new(),
        strict: options.strict,
        seen: Seen::default(),
        stopped: None,
    };
    let mut unreadable = false;
    for spec in inputs {
        match input::read_input(spec, options.input, &mut pipeline) {
            Ok(()) => {}
            Err(ReadFail::Stop) => {
                pipeline.progress.done();
                return Err(pipeline.stopped.take().unwrap_or_else(|| anyhow!("stopped")));
            }
            Err(ReadFail::Input(e)) => {
                pipeline.progress.done();
                pipeline.notes.unreadable(&e);
                unreadable = true;
            }
        }
    }
    pipeline.progress.done();
    pipeline.notes.finish();
    pipeline.writer.finish(pipeline.out, &pipeline.diagnosis, table)?;
    Ok(Outcome {
        diagnosis: pipeline.diagnosis,
        unreadable,
    })
}

/// The sink the readers feed: matches, redacts, groups, and streams to the writer.
struct Pipeline<'a> {
    table: &'a RuleTable,
    diagnosis: Diagnosis,
    writer: Box<dyn Writer>,
    out: &'a mut dyn Write,
    redactor: Option<Redactor>,
    notes: Notes,
    progress: Progress,
    strict: bool,
    seen: Seen,
    /// Why the run must end, once a push has returned `Stop`.
    stopped: Option<anyhow::Error>,
}

impl Pipeline<'_> {
    fn failure(&mut self, mut finding: Finding, cause: Option<usize>) -> Result<(), Stop> {
        if let Some(r) = &mut self.redactor {
            r.finding(&mut finding);
        }
        let cause = cause.map(|i| (i, self.table.rules()[i].id.as_str()));
        self.diagnosis.failure(finding, cause);
        let written = match self.diagnosis.findings.last() {
            Some(d) => self.writer.finding(self.out, d, self.table),
            None => Ok(()),
        };
        self.check(written)
    }

    fn malformed(&mut self, e: InputError) -> Result<(), Stop> {
        if self.strict {
            self.stopped = Some(anyhow!(
                "{}:{}: {} (--strict makes this fatal)",
                e.source.path,
                e.source.line,
                e.message
            ));
            return Err(Stop);
        }
        self.notes.malformed(&e);
        let written = self.writer.error(self.out, &e);
        self.diagnosis.malformed(e);
        self.check(written)
    }

    fn check(&mut self, written: io::Result<()>) -> Result<(), Stop> {
        written.map_err(|e| {
            self.stopped = Some(e.into());
            Stop
        })
    }
}

impl Sink for Pipeline<'_> {
    fn push(&mut self, record: Record) -> Result<(), Stop> {
        self.progress.tick(self.diagnosis.summary.failures);
        match record {
            Record::Failure(f) => {
                let cause = self.table.classify(&f);
                self.failure(f, cause)
            }
            Record::Candidate(f) => match self.table.classify(&f) {
                Some(cause) => self.failure(f, Some(cause)),
                None => {
                    self.diagnosis.ignored();
                    Ok(())
                }
            },
            Record::Ignored => {
                self.diagnosis.ignored();
                Ok(())
            }
            Record::Duplicate => {
                self.diagnosis.duplicate();
                Ok(())
            }
            Record::Malformed(e) => self.malformed(e),
        }
    }

    fn push_event(&mut self, key: Option<EventKey>, record: Record) -> Result<(), Stop> {
        let first = key.is_none_or(|key| self.seen.first(key));
        self.push(if first { record } else { Record::Duplicate })
    }
}
