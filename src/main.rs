//! provdiag: parse the command line, run, turn the outcome into an exit code, print an error once.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = provdiag::cli::Cli::parse();
    match provdiag::run(cli) {
        Ok(code) => code,
        Err(err) if provdiag::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("provdiag: {}", provdiag::report::clean(&format!("{err:#}")));
            }
            ExitCode::from(2)
        }
    }
}
