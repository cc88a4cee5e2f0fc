//! `onward sync`: keep this journal in step with your other devices through an
//! end-to-end encrypted relay (docs/SYNC.md). The relay stores what it cannot read.

use crate::dates;
use crate::error::{Failure, Result};
use crate::output::{plural, Printed};
use clap::{Args, Subcommand};
use onward_core::sync::{self, Phase, Progress, SyncReport, SyncStatus, Unit};
use onward_core::Journal;
use serde_json::json;
use std::io::IsTerminal;
use std::sync::Mutex;

#[derive(Debug, Subcommand)]
#[command(after_help = "Examples:
  onward sync init --relay https://relay.example.org
  onward sync join ONWARD1-...        (on your other device, with the code init printed)
  onward sync now
  onward sync status")]
pub enum Command {
    /// Start syncing this journal through a relay, and get the pairing code for your other devices
    Init(InitArgs),
    /// Join the journal of a pairing code; this device's own entries are kept and merged in
    Join(JoinArgs),
    /// Send what's new here and bring in what's new elsewhere
    Now,
    /// Where sync stands, checked with the relay
    Status,
    /// Show the pairing code again (it holds your journal's key: keep it to your devices)
    Code,
    /// Stop syncing and forget the relay; your journal stays as it is
    Off,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The relay's address, such as https://relay.example.org
    #[arg(long, value_name = "URL")]
    relay: String,
}

#[derive(Debug, Args)]
pub struct JoinArgs {
    /// The pairing code from `onward sync code` on a device that syncs (spaces are fine)
    #[arg(required = true, num_args = 1.., value_name = "CODE")]
    code: Vec<String>,
}

pub fn run(command: Command, journal: Journal) -> Result<Printed> {
    let journal = Mutex::new(journal);
    match command {
        Command::Init(args) => init(args, &journal),
        Command::Join(args) => join(args, &journal),
        Command::Now => now(&journal),
        Command::Status => status(&journal),
        Command::Code => code(&journal),
        Command::Off => off(&journal),
    }
}

fn init(args: InitArgs, journal: &Mutex<Journal>) -> Result<Printed> {
    let code = block_on(sync::enable(journal, &args.relay))?;
    let url = relay_url(journal)?;
    let first = block_on(async { Ok(sync::sync_now(journal, &show_progress()).await) })?;
    let mut human = format!("Sync is on, through {url}.\n");
    let first_json = match &first {
        Ok(report) => {
            human.push_str(&format!(
                "Sent {}. {}\n",
                plural(report.pushed.changes, "change"),
                report.status.summary()
            ));
            report_json(report)
        }
        Err(e) => {
            human.push_str(&format!(
                "The first sync didn't go through: {e}\n`onward sync now` tries again.\n"
            ));
            json!({ "error": e.to_string() })
        }
    };
    human.push_str(&format!(
        "\nThe pairing code for your other devices (it holds your journal's key: keep it to yourself):\n\n  {code}\n\nOn another device: onward sync join {code}"
    ));
    Ok(Printed::new(
        json!({ "relay": url, "pairing_code": code, "first_sync": first_json }),
        human,
    ))
}

fn join(args: JoinArgs, journal: &Mutex<Journal>) -> Result<Printed> {
    let code = args.code.join(" ");
    let report = block_on(sync::join(journal, &code, &show_progress()))?;
    let url = relay_url(journal)?;
    let human = format!(
        "Joined the journal synced through {url}: received {}{}, sent {}. {}",
        plural(report.pulled.changes, "change"),
        records_changed(&report),
        plural(report.pushed.changes, "change"),
        report.status.summary()
    );
    Ok(Printed::new(
        report_json(&report),
        human + &refusals(&report),
    ))
}

fn now(journal: &Mutex<Journal>) -> Result<Printed> {
    let report = block_on(sync::sync_now(journal, &show_progress()))?;
    let human = format!(
        "Synced: sent {}, received {}{}. {}",
        plural(report.pushed.changes, "change"),
        plural(report.pulled.changes, "change"),
        records_changed(&report),
        report.status.summary()
    );
    Ok(Printed::new(
        report_json(&report),
        human + &refusals(&report),
    ))
}

fn status(journal: &Mutex<Journal>) -> Result<Printed> {
    let status = block_on(sync::status(journal))?;
    let mut human = format!("Relay        {}\n", status.relay_url);
    human.push_str(&format!(
        "Last synced  {}\n",
        status
            .last_success_at
            .map(dates::show)
            .unwrap_or_else(|| "never".into())
    ));
    human.push_str(&format!(
        "To send      {}\n",
        plural(status.pending_changes, "change")
    ));
    match status.relay_latest {
        Some(latest) => human.push_str(&format!(
            "Received     {} of the relay's {}\n",
            status.cursor,
            plural(latest, "batch").replace("batchs", "batches")
        )),
        None => human.push_str(&format!("Received     {} batches so far\n", status.cursor)),
    }
    if let Some(why) = &status.unreachable {
        human.push_str(&format!("Relay check  {why}\n"));
    } else if let Some(error) = &status.last_error {
        human.push_str(&format!("Last error   {error}\n"));
    }
    for refused in &status.refused {
        human.push_str(&format!(
            "Refused      batch {} ({}): {}\n",
            refused.seq, refused.batch_id, refused.reason
        ));
    }
    human.push('\n');
    human.push_str(&status.summary());
    Ok(Printed::new(status_json(&status), human))
}

fn code(journal: &Mutex<Journal>) -> Result<Printed> {
    let journal = journal.lock().unwrap_or_else(|p| p.into_inner());
    let code = sync::pairing_code(&journal)?;
    let url = journal.sync_enabled()?.relay_url;
    Ok(Printed::new(
        json!({ "relay": url, "pairing_code": code }),
        format!(
            "{code}\n\nOn another device: onward sync join {code}\nIt holds your journal's key: share it only with your own devices."
        ),
    ))
}

fn off(journal: &Mutex<Journal>) -> Result<Printed> {
    let mut journal = journal.lock().unwrap_or_else(|p| p.into_inner());
    let url = journal.sync_settings()?.map(|s| s.relay_url);
    journal.disable_sync()?;
    let human = match &url {
        Some(url) => format!(
            "Sync is off: this device forgot {url}. Your journal stays here as it is, and your other devices keep syncing without it."
        ),
        None => "Sync was already off. Your journal is here as it was.".to_string(),
    };
    Ok(Printed::new(
        json!({ "was_on": url.is_some(), "relay": url }),
        human,
    ))
}

fn relay_url(journal: &Mutex<Journal>) -> Result<String> {
    let journal = journal.lock().unwrap_or_else(|p| p.into_inner());
    Ok(journal.sync_enabled()?.relay_url)
}

/// Runs one sync step on a small runtime of its own: the CLI does one thing at a time.
fn block_on<T>(future: impl std::future::Future<Output = onward_core::Result<T>>) -> Result<T> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::new(format!("could not start the network runtime: {e}")))?;
    Ok(runtime.block_on(future)?)
}

/// Progress on stderr, rewritten in place, when stderr is a terminal.
fn show_progress() -> impl Fn(Progress) + Send + Sync {
    let terminal = std::io::stderr().is_terminal();
    move |p: Progress| {
        if !terminal {
            return;
        }
        let what = match p.phase {
            Phase::Pushing => "Sending",
            Phase::Pulling => "Receiving",
            Phase::DownloadingSnapshot => "Downloading the journal",
            Phase::UploadingSnapshot => "Uploading a snapshot",
        };
        let amount = match p.phase.unit() {
            Unit::Batches => format!("{} of {} batches", p.done, p.total),
            Unit::Bytes => format!("{} of {} KB", p.done / 1024, p.total.div_ceil(1024)),
        };
        eprint!("\r\x1b[2K{what}… {amount}");
        if p.done >= p.total {
            eprintln!();
        }
    }
}

fn records_changed(report: &SyncReport) -> String {
    match report.pulled.changed_ids.len() {
        0 => String::new(),
        n => format!(" ({} updated here)", plural(n, "record")),
    }
}

fn refusals(report: &SyncReport) -> String {
    match report.pulled.refused {
        0 => String::new(),
        n => format!(
            "\n{} from the relay didn't open with this journal's key and {} not applied; everything else was. `onward sync status` lists {}.",
            plural(n, "batch").replace("batchs", "batches"),
            if n == 1 { "was" } else { "were" },
            if n == 1 { "it" } else { "them" }
        ),
    }
}

fn report_json(report: &SyncReport) -> serde_json::Value {
    json!({
        "pushed": report.pushed,
        "pulled": report.pulled,
        "snapshot": report.snapshot,
        "status": status_json(&report.status),
    })
}

fn status_json(status: &SyncStatus) -> serde_json::Value {
    let mut value = serde_json::to_value(status).unwrap_or_default();
    value["summary"] = json!(status.summary());
    value
}
