//! `onward-desktop`: the journal at a desk, in the browser (the same server as
//! `onward desktop`).

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

/// Onward at a desk: your journal in the browser, on this machine only.
#[derive(Debug, Parser)]
#[command(name = "onward-desktop", version)]
struct Args {
    /// The journal file [default: journal.onward in your data directory]
    #[arg(
        long,
        env = "ONWARD_JOURNAL",
        hide_env_values = true,
        value_name = "PATH"
    )]
    journal: Option<PathBuf>,
    /// Your time zone, an IANA name such as Europe/Berlin [default: $TZ, else the system's]
    #[arg(long, env = "ONWARD_TIME_ZONE", value_name = "NAME")]
    time_zone: Option<String>,
    #[command(flatten)]
    serve: onward_desktop::ServeArgs,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let opened = onward_local::resolve_zone(args.time_zone.as_deref()).and_then(|zone| {
        let path = onward_local::journal_path(args.journal)?;
        onward_local::open(&path, zone)
    });
    let journal = match opened {
        Ok((journal, _keys)) => journal,
        Err(problem) => {
            eprintln!("error: {problem}");
            if let onward_local::Problem::Setting { hint, .. } = problem {
                eprintln!("{hint}");
            }
            return ExitCode::from(1);
        }
    };
    match onward_desktop::serve(journal, &args.serve) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}
