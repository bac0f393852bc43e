//! The command line: clap derive types and nothing else.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

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

const EXIT_CODES: &str = "Exit codes: 0 no failure selected by --fail-on; 1 at least one; 2 usage error, \
unreadable input or rules file, unknown cause, or a malformed record under --strict.";

#[derive(Debug, Args)]
pub struct Diagnose {
    /// Files to diagnose ('-' is stdin); with no FILE and no -m, stdin
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Diagnose this text (repeatable; combines with FILEs)
    #[arg(short, long = "message", value_name = "TEXT")]
    pub messages: Vec<String>,

    /// How to read every input; auto decides per input from its content
    #[arg(short, long, value_enum, default_value_t = InputFormat::Auto)]
    pub input: InputFormat,

    /// How to write the report
    #[arg(short, long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,

    /// Which failures make the exit code 1: any, unrecognized, none, or cause ids (comma-separated)
    #[arg(
        long,
        value_name = "any|unrecognized|none|CAUSE[,CAUSE…]",
        default_value = "any"
    )]
    pub fail_on: String,

    /// Color in text output; auto honours NO_COLOR, CLICOLOR_FORCE and whether stdout is a terminal
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Make the first malformed record a fatal error (exit 2) instead of a counted, reported one
    #[arg(long)]
    pub strict: bool,

    /// Replace people's names, logins and emails with stable pseudonyms in every format
    #[arg(long)]
    pub redact: bool,
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
        /// A cause id, as `provdiag rules` lists them
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
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
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
}
