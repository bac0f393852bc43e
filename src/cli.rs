//! The command line: clap derive types and nothing else.

use clap::builder::{PossibleValue, StringValueParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::ffi::OsStr;
use std::path::PathBuf;
use std::time::Duration;

use crate::input::InputFormat;
use crate::report::OutputFormat;

/// Tells an Okta admin why provisioning failed and what to do about it.
///
/// Reads Tasks error messages (pasted or piped), System Log exports (API pages, NDJSON, event hook
/// deliveries) and System Log CSVs, maps each failure to a known cause and prints the fix.
#[derive(Debug, Parser)]
#[command(name = "provdiag", version, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub diagnose: Diagnose,

    /// Extra rules (the JSON of `provdiag rules --format json`), checked before the built-in ones
    #[arg(long, global = true, value_name = "FILE")]
    pub rules: Option<PathBuf>,
}

const EXIT_CODES: &str =
    "Exit codes: 0 no open failure selected by --fail-on; 1 at least one (with --state, still open from an \
earlier run too; resolved ones too with --include-resolved); 2 usage error, unreadable input or rules file, an \
input with nothing of Okta's in it, unknown cause, a malformed record under --strict, a --state file that cannot \
be used, or a pull that could not finish.";

#[derive(Debug, Args)]
pub struct Diagnose {
    /// Files to diagnose ('-' is stdin); with no FILE and no -m, stdin
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Diagnose this text (repeatable; combines with FILEs)
    #[arg(short, long = "message", value_name = "TEXT", value_parser = message)]
    pub messages: Vec<String>,

    /// How to read every input; auto decides per input from its content
    #[arg(short, long, value_enum, default_value_t = InputFormat::Auto)]
    pub input: InputFormat,

    #[command(flatten)]
    pub report: ReportOptions,

    /// Write the report to FILE instead of stdout: whole, or not at all
    #[arg(short, long, value_name = "FILE", global = true)]
    pub output: Option<PathBuf>,

    /// Keep events published at or after WHEN: RFC 3339, a date, or a duration back from now (90m, 24h, 7d)
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,

    /// Keep events published before WHEN (same forms as --since); records without a time are kept
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,

    /// Remember the failures still open in FILE, and report them until a success resolves them: for scheduled
    /// runs (see `provdiag ack`)
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
}

/// The options that say what to report and how: shared by the diagnose command and `pull`. (`--since` and
/// `--until` stay out: to `pull` they are the window it asks Okta for.)
#[derive(Debug, Args)]
pub struct ReportOptions {
    /// How to write the report
    #[arg(short, long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,

    /// Which failures make the exit code 1: any, none, or a comma-separated list of unrecognized and cause
    /// ids (e.g. unrecognized,license-limit-exceeded)
    #[arg(
        long,
        value_name = "any|none|unrecognized|CAUSE[,…]",
        default_value = "any",
        value_parser = Cause::with(&["any", "none", "unrecognized"]),
        hide_possible_values = true
    )]
    pub fail_on: String,

    /// Color in text output; auto honours NO_COLOR, CLICOLOR=0, CLICOLOR_FORCE, TERM=dumb and whether the
    /// report goes to a terminal
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Make the first malformed record a fatal error (exit 2) instead of a counted, reported one
    #[arg(long)]
    pub strict: bool,

    /// Replace people's names, logins and emails with keyed pseudonyms in every format (the key:
    /// PROVDIAG_REDACT_KEY, else a random one for this run)
    #[arg(long)]
    pub redact: bool,

    /// Keep this app's records only, by name or Okta app id (case-insensitive; repeatable)
    #[arg(long = "app", value_name = "NAME")]
    pub apps: Vec<String>,

    /// Let --fail-on count failures that a later success resolved too
    #[arg(long)]
    pub include_resolved: bool,

    /// Text and markdown: only the overview (one line per incident) and the figures
    #[arg(long)]
    pub brief: bool,
}

impl ReportOptions {
    /// The pipeline's options for reading `input` into the report these options ask for.
    pub fn options(
        &self,
        input: InputFormat,
        to_terminal: bool,
        filter: crate::group::Filter,
    ) -> anyhow::Result<crate::pipeline::Options> {
        crate::pipeline::Options::new(
            input,
            self.format,
            self.strict,
            self.redact,
            to_terminal,
            self.brief,
            filter,
        )
    }
}

/// A cause id as typed: any text is accepted (a --rules file may add ids, and `LICENSE_LIMIT_EXCEEDED` is
/// looked up later), while shell completion is offered the built-in ids.
#[derive(Clone)]
pub struct Cause {
    words: &'static [&'static str],
}

impl Cause {
    /// Completion offers `words` too, before the ids.
    const fn with(words: &'static [&'static str]) -> Self {
        Self { words }
    }
}

impl TypedValueParser for Cause {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<String, clap::Error> {
        StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        let ids = crate::rules::builtin_ids()
            .iter()
            .map(|id| PossibleValue::new(id.as_str()));
        Some(Box::new(
            self.words.iter().map(|w| PossibleValue::new(*w)).chain(ids),
        ))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Everything known about one cause, remediation included
    Explain {
        /// A cause id, as `provdiag rules` lists them (any case; Okta's LICENSE_LIMIT_EXCEEDED works too)
        #[arg(value_parser = Cause::with(&[]), hide_possible_values = true)]
        cause: String,
    },
    /// The rule table; json is the schema a --rules file uses
    Rules {
        #[arg(short, long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
        #[command(subcommand)]
        action: Option<RulesAction>,
    },
    /// Shell completions, to be sourced by the shell
    #[command(after_help = COMPLETIONS_PLACES)]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// The manual page (roff), from the same definitions as --help: `provdiag man > provdiag.1`
    Man,
    /// Read the System Log straight from Okta's API and diagnose it as it arrives
    ///
    /// Credentials come from the environment, never from the command line. The first of these that is set is
    /// used (and, when several are, stderr says which): OKTA_CLIENT_CLIENTID with OKTA_CLIENT_PRIVATEKEY (an API
    /// Services app's private key, a PEM or JWK or the path of one: Okta's recommended credential, with DPoP),
    /// OKTA_API_TOKEN or OKTA_CLIENT_TOKEN (an API token, sent as SSWS), OKTA_ACCESS_TOKEN (an OAuth 2.0 access
    /// token with the okta.logs.read scope). OKTA_CLIENT_ORGURL is --org's default.
    #[command(after_help = PULL_EXAMPLES)]
    Pull(Box<Pull>),
    /// Acknowledge an incident in a --state file: still reported, but --fail-on does not count it until WHEN
    Ack(Ack),
}

/// `provdiag ack`: which incident, until when, why, and in which state file.
#[derive(Debug, Args)]
pub struct Ack {
    /// The cause id (as `provdiag rules` lists them), or `unrecognized`
    #[arg(value_parser = Cause::with(&["unrecognized"]), hide_possible_values = true)]
    pub cause: String,

    /// Only this app's incident (case-insensitive); without it, the cause on every app
    #[arg(long, value_name = "APP")]
    pub app: Option<String>,

    /// Until when: RFC 3339, a date, or a duration from now (7d)
    #[arg(long, value_name = "WHEN")]
    pub until: String,

    /// Why it may wait (a ticket, a person): shown with the incident in every report
    #[arg(long, value_name = "TEXT")]
    pub reason: String,

    /// The state file the scheduled runs use
    #[arg(long, value_name = "FILE")]
    pub state: PathBuf,
}

const COMPLETIONS_PLACES: &str = "Where each shell's file goes:
  bash        provdiag completions bash > ~/.local/share/bash-completion/completions/provdiag
  zsh         provdiag completions zsh > ~/.zfunc/_provdiag   (with fpath+=~/.zfunc before compinit in ~/.zshrc)
  fish        provdiag completions fish > ~/.config/fish/completions/provdiag.fish
  powershell  provdiag completions powershell >> $PROFILE
  elvish      provdiag completions elvish > ~/.config/elvish/lib/provdiag.elv   (and use provdiag in rc.elv)";

const PULL_EXAMPLES: &str = "Examples:
  OKTA_API_TOKEN=… provdiag pull --org acme.okta.com --since 7d
  provdiag pull --org acme.okta.com --state ~/.provdiag-acme.json --format json   (from cron: each event once)
  provdiag pull --org acme.okta.com --follow --format ndjson";

/// `provdiag pull`: where to read from, which window, and what to keep between runs.
#[derive(Debug, Args)]
pub struct Pull {
    /// The Okta org: acme.okta.com, acme.oktapreview.com, or an https:// URL (http:// only to a loopback
    /// address, for testing against a fake Okta)
    #[arg(long, value_name = "ORG", env = "OKTA_CLIENT_ORGURL")]
    pub org: String,

    /// Read events from this time on: RFC 3339, a date, or a duration back from now (90m, 24h, 7d); default
    /// 24h. A run whose --state file holds a position starts there instead
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,

    /// Read events up to this time (same forms as --since); without it, up to now. Not with --state or
    /// --follow, which read up to now
    #[arg(long, value_name = "WHEN", conflicts_with_all = ["state", "follow"])]
    pub until: Option<String>,

    /// Remember in FILE where this pull ended and the failures still open, and start there next time: a
    /// scheduled job reads each event once and reports each failure until a success resolves it
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// Append every event received to FILE as NDJSON, exactly as Okta sent it, to diagnose it again offline
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,

    /// Keep polling for new events, writing findings as they arrive (best with --format ndjson); Ctrl-C ends
    /// it with the report
    #[arg(long)]
    pub follow: bool,

    /// Give up on an answer (the whole page) after this many seconds, and ask again; Okta ends its own work on a
    /// query after 30
    #[arg(long, value_name = "SECONDS", default_value = "45", value_parser = positive_seconds)]
    pub timeout: Duration,

    /// With --follow, how many seconds to wait before asking again when there is nothing new
    #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = seconds)]
    pub poll_interval: Duration,

    /// The longest any single wait may be (rate limits, retries): for tests against a fake Okta
    #[arg(long, value_name = "SECONDS", value_parser = seconds, hide = true)]
    pub max_wait: Option<Duration>,

    #[command(flatten)]
    pub report: ReportOptions,
}

/// A message to diagnose: a blank one is a usage error, not a run that found nothing (`-m "$ERROR"` with
/// the variable unset must not pass a CI check).
fn message(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        Err("the message is blank: give the failure's text (is a variable unset?)".to_owned())
    } else {
        Ok(text.to_owned())
    }
}

/// A number of seconds more than zero (a timeout of none would fail every request at once).
fn positive_seconds(text: &str) -> Result<Duration, String> {
    seconds(text).and_then(|d| {
        if d.is_zero() {
            Err(format!("'{text}': give a number of seconds more than 0"))
        } else {
            Ok(d)
        }
    })
}

/// A number of seconds, fractions allowed.
fn seconds(text: &str) -> Result<Duration, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| format!("'{text}' is not a number of seconds"))
}

#[derive(Debug, Subcommand)]
pub enum RulesAction {
    /// Check a rules file: schema, patterns, and that every example lands on its rule (exit 0 or 2)
    Test {
        /// The rules file (the JSON of `provdiag rules --format json`)
        file: PathBuf,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn cause_arguments_take_any_text_and_offer_the_built_in_ids() {
        let cli = Cli::try_parse_from(["provdiag", "--fail-on", "my-own-rule,unrecognized", "x"]);
        assert_eq!(
            cli.map(|c| c.diagnose.report.fail_on).ok().as_deref(),
            Some("my-own-rule,unrecognized")
        );
        let cli = Cli::try_parse_from(["provdiag", "explain", "LICENSE_LIMIT_EXCEEDED"]);
        assert!(
            matches!(cli.map(|c| c.command), Ok(Some(Command::Explain { cause })) if cause == "LICENSE_LIMIT_EXCEEDED")
        );
        let offered: Vec<String> = Cause::with(&["any"])
            .possible_values()
            .into_iter()
            .flatten()
            .map(|v| v.get_name().to_owned())
            .collect();
        assert_eq!(offered.first().map(String::as_str), Some("any"));
        assert!(
            offered.iter().any(|v| v == "license-limit-exceeded"),
            "{offered:?}"
        );
    }
}
