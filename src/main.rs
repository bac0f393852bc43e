//! provdiag: parse the command line, run, turn the outcome into an exit code, print an error once.

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = provdiag::cli::Cli::parse();
    match provdiag::run(cli) {
        Ok(code) => code,
        Err(err) if provdiag::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // A closed stderr costs only the message: never a panic (exit 101).
            let _ = writeln!(
                std::io::stderr(),
                "provdiag: {}",
                provdiag::report::clean(&format!("{err:#}"))
            );
            ExitCode::from(2)
        }
    }
}
