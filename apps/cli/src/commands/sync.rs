//! `onward sync`: keep this journal in step with your other devices through an
//! end-to-end encrypted relay (docs/SYNC.md). The relay stores what it cannot read.

use crate::dates;
use crate::error::{Failure, Result};
use crate::output::{plural, Printed, NEEDS_ATTENTION};
use crate::progress;
use clap::{Args, Subcommand};
use onward_core::sync::{self, SyncReport, SyncRuntime, SyncStatus};
use onward_core::Journal;
use onward_local::qr;
use onward_local::DeviceKeys;
use serde_json::json;
use std::io::IsTerminal;
use std::sync::Mutex;

#[derive(Debug, Subcommand)]
#[command(after_help = "Examples:
  onward sync init --relay https://relay.example.org
  onward sync invite                  (shows a QR code and a one-time code for your other device)
  onward sync join                    (on the other device; it asks for the code)
  onward sync now
  onward sync status
  onward devices                      (every device, and `onward devices remove NAME`)")]
pub enum Command {
    /// Start syncing this journal through a relay
    Init(InitArgs),
    /// A one-time invitation for another device, as a QR code and a code to type
    Invite(InviteArgs),
    /// Join a journal with an invitation from a device that syncs; this device's own entries are kept and merged in
    Join(JoinArgs),
    /// Send what's new here and bring in what's new elsewhere
    Now,
    /// Where sync stands, checked with the relay
    Status,
    /// Make a recovery kit: the one way back to your journal if every device is lost
    RecoveryKit,
    /// Bring your journal onto this device with a recovery kit, when no other device is left
    Recover(RecoverArgs),
    /// Stop syncing on this device; your journal stays here as it is
    Off(OffArgs),
    /// Bring back the relay's copy deleted by `sync off --delete-relay-copy`, while the relay still keeps it, and sync again
    RestoreRelayCopy,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The relay's address, such as https://relay.example.org
    #[arg(long, value_name = "URL")]
    relay: String,
    /// How your other devices name this one (default: this machine's name)
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// Allow a relay at a plain http:// address on another machine (its traffic is then not encrypted on the way; your journal's content still is)
    #[arg(long)]
    allow_insecure_http: bool,
    /// The registration token from the people who run the relay, if they gave you one
    #[arg(
        long,
        value_name = "TOKEN",
        env = "ONWARD_REGISTRATION_TOKEN",
        hide_env_values = true
    )]
    registration_token: Option<String>,
}

#[derive(Debug, Args)]
pub struct InviteArgs {
    /// How long the invitation stays usable, such as 10m or 2h (at most a day)
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = humantime::parse_duration)]
    expires: std::time::Duration,
    /// Print only the code, no QR code
    #[arg(long)]
    no_qr: bool,
}

#[derive(Debug, Args)]
pub struct JoinArgs {
    /// The invitation (`ONWARD2-…`); left out, it is asked for, so it stays out of your shell history
    #[arg(num_args = 0.., value_name = "CODE")]
    code: Vec<String>,
    /// How your other devices name this one (default: this machine's name)
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// Join without asking (for scripts)
    #[arg(long, short)]
    yes: bool,
}

#[derive(Debug, Args)]
pub struct RecoverArgs {
    /// The recovery kit (`ONWARDKIT1-…`); left out, it is asked for
    #[arg(num_args = 0.., value_name = "KIT")]
    kit: Vec<String>,
    /// How your devices name this one (default: this machine's name)
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
}

#[derive(Debug, Args)]
pub struct OffArgs {
    /// Also leave the journal's devices: the others move to a new key this device never gets
    #[arg(long, conflicts_with = "delete_relay_copy")]
    leave: bool,
    /// Also delete the relay's copy (the last device only; `onward sync restore-relay-copy` here brings it back for a while)
    #[arg(long)]
    delete_relay_copy: bool,
}

/// `keys` is the secret store the journal was given: it says where the keys went.
pub fn run(command: Command, journal: Journal, keys: &DeviceKeys) -> Result<Printed> {
    let journal = Mutex::new(journal);
    let rt = SyncRuntime::new()?;
    match command {
        Command::Init(args) => init(args, &journal, &rt, keys),
        Command::Invite(args) => invite(args, &journal, &rt),
        Command::Join(args) => join(args, &journal, &rt, keys),
        Command::Now => now(&journal, &rt),
        Command::Status => status(&journal, &rt),
        Command::RecoveryKit => recovery_kit(&journal, &rt),
        Command::Recover(args) => recover(args, &journal, &rt, keys),
        Command::Off(args) => off(args, &journal, &rt),
        Command::RestoreRelayCopy => restore_relay_copy(&journal, &rt),
    }
}

fn init(
    args: InitArgs,
    journal: &Mutex<Journal>,
    rt: &SyncRuntime,
    keys: &DeviceKeys,
) -> Result<Printed> {
    let name = args.name.unwrap_or_else(sync::default_device_name);
    rt.block_on(sync::enable_with_token(
        journal,
        rt.relays(),
        &args.relay,
        args.allow_insecure_http,
        &name,
        args.registration_token.as_deref(),
    ))?;
    let url = relay_url(journal)?;
    let first =
        rt.block_on(async { Ok(sync::sync_now(journal, rt.relays(), &progress::sync()).await) })?;
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
    human.push_str(&keys_line(keys));
    human.push_str(
        "\nTo add another device, run `onward sync invite` here and scan or type what it shows.\n`onward sync recovery-kit` makes a way back in case every device is lost.",
    );
    Ok(Printed::new(
        json!({ "relay": url, "device": name, "first_sync": first_json }),
        human,
    ))
}

fn invite(args: InviteArgs, journal: &Mutex<Journal>, rt: &SyncRuntime) -> Result<Printed> {
    let invite = rt.block_on(sync::invite(journal, rt.relays(), args.expires))?;
    let mut human = String::new();
    if !args.no_qr {
        human.push_str(&qr::render(&invite.code));
        human.push('\n');
    }
    human.push_str(&format!(
        "Scan this with Onward on your phone, or type the code on your other device:\n\n  {}\n\nIt works once, until {}. On a computer: onward sync join",
        invite.code,
        dates::show(invite.expires_at)
    ));
    Ok(Printed::new(
        json!({ "code": invite.code, "expires_at": invite.expires_at }),
        human,
    ))
}

fn join(
    args: JoinArgs,
    journal: &Mutex<Journal>,
    rt: &SyncRuntime,
    keys: &DeviceKeys,
) -> Result<Printed> {
    let code = given_or_asked(args.code, "The invitation (ONWARD2-…): ")?;
    let name = args.name.unwrap_or_else(sync::default_device_name);
    let preview = rt.block_on(sync::preview(rt.relays(), &code))?;
    if !args.yes {
        let devices = match preview.devices.as_slice() {
            [] => "no device yet".to_string(),
            names => format!("{} ({})", plural(names.len(), "device"), names.join(", ")),
        };
        let question = format!(
            "This joins the journal synced through {} by {devices}.\nYour entries here will be merged into it. Join? [y/N] ",
            preview.relay_url
        );
        if !confirm(&question)? {
            return Ok(Printed::new(
                json!({ "joined": false }),
                "Nothing changed: this device didn't join.".to_string(),
            ));
        }
    }
    let report = rt.block_on(sync::join(
        journal,
        rt.relays(),
        &code,
        &name,
        &progress::sync(),
    ))?;
    let url = relay_url(journal)?;
    let human = format!(
        "Joined the journal synced through {url}: received {}{}, sent {}. {}{}",
        plural(report.pulled.changes, "change"),
        records_changed(&report),
        plural(report.pushed.changes, "change"),
        report.status.summary(),
        keys_line(keys)
    );
    Ok(report_printed(&report, human))
}

fn recovery_kit(journal: &Mutex<Journal>, rt: &SyncRuntime) -> Result<Printed> {
    let kit = rt.block_on(sync::recovery_kit(journal, rt.relays()))?;
    let human = format!(
        "{}\nYour recovery kit:\n\n  {kit}\n\nKeep it like a house key: on paper or in a password manager, not on this device. Whoever has it can open your journal and add a device. It is the only way back if every device is lost, and it is shown only now: Onward and the relay don't keep it. Making a new kit retires this one.\nTo use it on a new device: onward sync recover",
        qr::render(&kit)
    );
    Ok(Printed::new(json!({ "recovery_kit": kit }), human))
}

fn recover(
    args: RecoverArgs,
    journal: &Mutex<Journal>,
    rt: &SyncRuntime,
    keys: &DeviceKeys,
) -> Result<Printed> {
    let kit = given_or_asked(args.kit, "The recovery kit (ONWARDKIT1-…): ")?;
    let name = args.name.unwrap_or_else(sync::default_device_name);
    let report = rt.block_on(sync::recover_from_kit(
        journal,
        rt.relays(),
        &kit,
        &name,
        &progress::sync(),
    ))?;
    let url = relay_url(journal)?;
    let human = format!(
        "Welcome back: your journal came back from {url} ({} received{}). {}{}",
        plural(report.pulled.changes, "change"),
        records_changed(&report),
        report.status.summary(),
        keys_line(keys)
    );
    Ok(report_printed(&report, human))
}

/// Where this device's keys went, in a line of its own (the same store that kept them,
/// so the keyring is not asked twice).
fn keys_line(keys: &DeviceKeys) -> String {
    format!(
        "\nThis device's keys are in {}, never in the journal file.\n",
        keys.place()
    )
}

/// The words given on the command line, or a line asked for on the terminal (or read
/// from standard input when it is not one).
fn given_or_asked(given: Vec<String>, question: &str) -> Result<String> {
    if !given.is_empty() {
        return Ok(given.join(" "));
    }
    if std::io::stdin().is_terminal() {
        eprint!("{question}");
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Failure::new(format!("couldn't read it: {e}")))?;
    Ok(line.trim().to_string())
}

/// Asks a yes/no question on the terminal; without a terminal the answer is no.
fn confirm(question: &str) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::new(
            "joining asks before it merges, and there is no terminal to ask on; add --yes to join anyway",
        ));
    }
    eprint!("{question}");
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| Failure::new(format!("couldn't read the answer: {e}")))?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

fn now(journal: &Mutex<Journal>, rt: &SyncRuntime) -> Result<Printed> {
    let report = rt.block_on(sync::sync_now(journal, rt.relays(), &progress::sync()))?;
    let human = format!(
        "Synced: {}. {}",
        sent_and_received(&report),
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
            plural(latest, "batch")
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

fn off(args: OffArgs, journal: &Mutex<Journal>, rt: &SyncRuntime) -> Result<Printed> {
    let url = {
        let journal = journal.lock().unwrap_or_else(|p| p.into_inner());
        journal.sync_settings()?.map(|s| s.relay_url)
    };
    let Some(url) = url else {
        return Ok(Printed::new(
            json!({ "was_on": false }),
            "Sync was already off. Your journal is here as it was.".to_string(),
        ));
    };
    let human = if args.leave {
        rt.block_on(sync::leave(journal, rt.relays()))?;
        format!("This device left the journal's devices and forgot {url}. Your other devices carry on with a new key; your journal stays here as it is.")
    } else if args.delete_relay_copy {
        let deleted = rt.block_on(sync::delete_relay_copy(journal, rt.relays()))?;
        let until = chrono::DateTime::from_timestamp_millis(deleted.purge_after_ms as i64)
            .map(dates::show)
            .unwrap_or_else(|| "a while".into());
        format!("The relay's copy at {url} is deleted, and sync is off. Your journal stays here as it is.\nChanged your mind? `onward sync restore-relay-copy` on this device brings the copy back until {until}; this device keeps its keys until then.")
    } else {
        journal
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .disable_sync()?;
        format!("Sync is off: this device forgot {url}. Your journal stays here as it is. Your other devices still list it; `onward devices remove` on one of them takes it off the list.")
    };
    Ok(Printed::new(
        json!({ "was_on": true, "relay": url, "left": args.leave, "deleted_relay_copy": args.delete_relay_copy }),
        human,
    ))
}

fn restore_relay_copy(journal: &Mutex<Journal>, rt: &SyncRuntime) -> Result<Printed> {
    let report = rt.block_on(sync::restore_relay_copy(
        journal,
        rt.relays(),
        &progress::sync(),
    ))?;
    let url = relay_url(journal)?;
    let human = format!(
        "Welcome back: the relay's copy at {url} is restored and sync is on again ({}). {}",
        sent_and_received(&report),
        report.status.summary()
    );
    Ok(report_printed(&report, human))
}

/// "sent 2 changes, received 1 change (1 record updated here)": what a round moved.
fn sent_and_received(report: &SyncReport) -> String {
    format!(
        "sent {}, received {}{}",
        plural(report.pushed.changes, "change"),
        plural(report.pulled.changes, "change"),
        records_changed(report)
    )
}

fn relay_url(journal: &Mutex<Journal>) -> Result<String> {
    let journal = journal.lock().unwrap_or_else(|p| p.into_inner());
    Ok(journal.sync_enabled()?.relay_url)
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
            plural(n, "batch"),
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
