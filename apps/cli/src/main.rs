//! `onward`: the job-search journal in a terminal.
//!
//! This file only parses the arguments, runs the command and prints what came out:
//! the result on stdout (human text, or JSON with `--json`), an error on stderr.

mod commands;
mod dates;
mod error;
mod limits;
mod output;
mod progress;
mod text_input;
mod vocab;
mod zone;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    if let Err(failure) = zone::settle() {
        failure.print();
        return ExitCode::from(1);
    }
    let cli = commands::Cli::parse();
    let json = cli.json;
    match commands::run(cli) {
        Ok(commands::Ran { printed, journal }) => {
            printed.print(json);
            // After the output, so nobody waits for it: fold the journal's change
            // chunks into its snapshot once they outgrow it. What was done is saved
            // either way; a failure here is only worth a word.
            if let Some(mut journal) = journal {
                if let Err(e) = journal.compact_if_due() {
                    eprintln!(
                        "onward: done, but tidying {} afterwards failed ({e}); \
                         it is tried again after the next command",
                        journal.path().display()
                    );
                }
            }
            ExitCode::from(printed.exit)
        }
        Err(failure) => {
            failure.print();
            ExitCode::from(1)
        }
    }
}
