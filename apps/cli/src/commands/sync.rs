//! `onward sync`: keep this journal in step with your other devices through an
//! end-to-end encrypted relay (docs/SYNC.md). The relay stores what it cannot read.

use crate::dates;
use crate::error::Result;
use crate::output::{plural, Printed, NEEDS_ATTENTION};
use clap::{Args, Subcommand};
use onward_core::sync::{self, Phase, Progress, SyncReport, SyncRuntime, SyncStatus, Unit};
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
    /// How your other devices name this one (default: this machine's name)
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
}

#[derive(Debug, Args)]
pub struct JoinArgs {
    /// The pairing code from `onward sync code` on a device that syncs (spaces are fine)
    #[arg(required = true, num_args = 1.., value_name = "CODE")]
    code: Vec<String>,
    /// How your other devices name this one (default: this machine's name)
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
}

pub fn run(command: Command, journal: Journal) -> Result<Printed> {
    let journal = Mutex::new(journal);
    let rt = SyncRuntime::new()?;
    match command {
        Command::Init(args) => init(args, &journal, &rt),
        Command::Join(args) => join(args, &journal, &rt),
        Command::Now => now(&journal, &rt),
        Command::Status => status(&journal, &rt),
        Command::Code => code(&journal),
        Command::Off => off(&journal),
    }
}

fn init(args: InitArgs, journal: &Mutex<Journal>, rt: &SyncRuntime) -> Result<Printed> {
    let name = args.name.unwrap_or_else(sync::default_device_name);
    let code = rt.block_on(sync::enable(journal, rt.relays(), &args.relay, &name))?;
    let url = relay_url(journal)?;
    let first =
        rt.block_on(async { Ok(sync::sync_now(journal, rt.relays(), &show_progress()).await) })?;
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

fn join(args: JoinArgs, journal: &Mutex<Journal>, rt: &SyncRuntime) -> Result<Printed> {
    let code = args.code.join(" ");
    let name = args.name.unwrap_or_else(sync::default_device_name);
    let report = rt.block_on(sync::join(
        journal,
        rt.relays(),
        &code,
        &name,
        &show_progress(),
    ))?;
    let url = relay_url(journal)?;
    let human = format!(
        "Joined the journal synced through {url}: received {}{}, sent {}. {}",
        plural(report.pulled.changes, "change"),
        records_changed(&report),
        plural(report.pushed.changes, "change"),
        report.status.summary()
    );
    Ok(report_printed(&report, human))
}

fn now(journal: &Mutex<Journal>, rt: &SyncRuntime) -> Result<Printed> {
    let report = rt.block_on(sync::sync_now(journal, rt.relays(), &show_progress()))?;
    let human = format!(
        "Synced: sent {}, received {}{}. {}",
        plural(report.pushed.changes, "change"),
        plural(report.pulled.changes, "change"),
        records_changed(&report),
        report.status.summary()
    );
    Ok(report_printed(&report, human))
}

/// A round's report: the line given, then what happened with the relay that the person
/// should know, and the exit status that says whether something needs their attention.
fn report_printed(report: &SyncReport, line: String) -> Printed {
    let mut human = line;
    if let Some(recovered) = &report.recovered {
        human.push('\n');
        human.push_str(&recovered.summary());
    }
    human.push_str(&refusals(report));
    human.push_str(&missing(&report.status));
    let printed = Printed::new(report_json(report), human);
    if needs_attention(&report.status) {
        printed.exiting(NEEDS_ATTENTION)
    } else {
        printed
    }
}

/// Whether sync finished but can't be complete until something changes on the relay's
/// side: changes another device reported are missing here.
fn needs_attention(status: &SyncStatus) -> bool {
    !status.withheld_from().is_empty()
}

fn missing(status: &SyncStatus) -> String {
    let ahead = status.withheld_from();
    if ahead.is_empty() {
        return String::new();
    }
    let names: Vec<String> = ahead
        .iter()
        .map(|d| format!("{} (synced {})", d.name, dates::show(d.last_synced_at)))
        .collect();
    format!(
        "\n{} had changes that haven't reached this device. The relay should have them but didn't send them; they'll come once it does, and nothing is lost on {}.",
        names.join(" and "),
        if ahead.len() == 1 { "that device" } else { "those devices" }
    )
}

fn status(journal: &Mutex<Journal>, rt: &SyncRuntime) -> Result<Printed> {
    let status = rt.block_on(sync::status(journal, rt.relays()))?;
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
    for (i, device) in status.devices.iter().enumerate() {
        human.push_str(&format!(
            "{}{} · synced {} · {}\n",
            if i == 0 {
                "Devices      "
            } else {
                "             "
            },
            device.name,
            dates::show(device.last_synced_at),
            if device.has_everything {
                "everything it had is here"
            } else {
                "had changes not here yet"
            }
        ));
    }
    if let Some((reason, at)) = &status.last_recovery {
        human.push_str(&format!(
            "Caught up    {}: the relay had gone back ({reason}); this device sent again what it lost\n",
            dates::show(*at)
        ));
    }
    human.push('\n');
    human.push_str(&status.summary());
    human.push_str(&missing(&status));
    let printed = Printed::new(status_json(&status), human);
    Ok(if needs_attention(&status) {
        printed.exiting(NEEDS_ATTENTION)
    } else {
        printed
    })
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
        "recovered": report.recovered,
        "status": status_json(&report.status),
    })
}

fn status_json(status: &SyncStatus) -> serde_json::Value {
    let mut value = serde_json::to_value(status).unwrap_or_default();
    value["summary"] = json!(status.summary());
    value
}
