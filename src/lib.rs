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

use anyhow::{bail, Context, Result};
use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use cli::{Cli, ColorChoice, Command, Diagnose, RulesFormat};
use diagnosis::Diagnosis;
use fail_on::FailOn;
use input::{InputSpec, ReadFail};
use pipeline::Pipeline;
use redact::RedactKey;
use report::Notes;
use rules::RuleTable;

/// Runs one command line; the exit code it asks for, or the error that ends it (exit 2).
pub fn run(cli: Cli) -> Result<ExitCode> {
    let table = RuleTable::load(cli.rules.as_deref())?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(64 << 10, stdout.lock());
    match cli.command {
        Some(Command::Explain { cause }) => {
            set_color(ColorChoice::Auto, io::stdout().is_terminal());
            report::explain(&mut out, table.lookup(&cause)?)?;
        }
        Some(Command::Rules { format }) => {
            set_color(ColorChoice::Auto, io::stdout().is_terminal());
            report::rules(&mut out, &table, format == RulesFormat::Json)?;
        }
        Some(Command::Completions { shell }) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "provdiag", &mut out);
        }
        Some(Command::Man) => {
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut out)?;
        }
        None => {
            let args = &cli.diagnose;
            let code = match args.output.as_deref().filter(|p| p.as_os_str() != "-") {
                Some(path) => {
                    drop(out);
                    diagnose_to_file(args, &table, path)?
                }
                None => {
                    set_color(args.color, io::stdout().is_terminal());
                    let code = diagnose(args, &table, io::stdout().is_terminal(), &mut out)?;
                    out.flush()?;
                    code
                }
            };
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

/// Decides color once for the whole run. `--color always/never` win. For `auto`, `colored` reads NO_COLOR,
/// CLICOLOR (0: off), CLICOLOR_FORCE and whether stdout is a terminal; what it cannot know is added here:
/// `TERM=dumb` (a terminal without color) and a report going to a file rather than to stdout, both of which
/// only CLICOLOR_FORCE overrides, as it overrides the terminal check in `colored`.
fn set_color(choice: ColorChoice, to_terminal: bool) {
    match choice {
        ColorChoice::Always => colored::control::set_override(true),
        ColorChoice::Never => colored::control::set_override(false),
        ColorChoice::Auto => {
            colored::control::unset_override();
            let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
            let forced = std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v != "0");
            if (dumb || !to_terminal) && !forced {
                colored::control::set_override(false);
            }
        }
    }
}

/// `-o FILE`: the report goes to a temporary file beside FILE, which takes FILE's place only once the
/// report is complete; an error on the way leaves no file (and an earlier FILE untouched).
fn diagnose_to_file(args: &Diagnose, table: &RuleTable, path: &Path) -> Result<ExitCode> {
    set_color(args.color, false);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".provdiag-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // What File::create gives (0666 less the umask), rather than the temporary file's 0600.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let file = builder
        .tempfile_in(dir)
        .with_context(|| format!("cannot write {} (--output)", path.display()))?;
    let mut out = io::BufWriter::with_capacity(64 << 10, file);
    let code = diagnose(args, table, false, &mut out)?;
    let file = out
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(|| format!("cannot write {} (--output)", path.display()))?;
    file.persist(path)
        .with_context(|| format!("cannot write {} (--output)", path.display()))?;
    Ok(code)
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
    message_without_m(args)?;
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
        redact: if args.redact { Some(redact_key()?) } else { None },
        to_terminal,
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
    /// `--redact`, with the key pseudonyms are made with.
    pub redact: Option<RedactKey>,
    /// The report goes to a terminal: the text report wraps to its width.
    pub to_terminal: bool,
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
