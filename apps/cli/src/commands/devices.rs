//! `onward devices`: the devices that sync this journal, and removing one (a lost phone,
//! a laptop given away). Removing starts a new key the removed device never gets.

use crate::dates;
use crate::error::Result;
use crate::output::Printed;
use crate::progress;
use clap::{Args, Subcommand};
use onward_core::sync::{self, SyncRuntime};
use onward_core::Journal;
use serde_json::json;
use std::sync::Mutex;

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  onward devices
  onward devices remove \"old phone\"")]
pub struct DevicesArgs {
    #[command(subcommand)]
    command: Option<DevicesCommand>,
}

#[derive(Debug, Subcommand)]
pub enum DevicesCommand {
    /// Remove a device: it can't sync any more, and can't read anything written after
    Remove(RemoveArgs),
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// Its name as `onward devices` shows it (or the start of its id)
    #[arg(value_name = "NAME")]
    name: String,
}

pub fn run(args: DevicesArgs, journal: Journal) -> Result<Printed> {
    match args.command {
        None => list(&journal),
        Some(DevicesCommand::Remove(remove)) => {
            let journal = Mutex::new(journal);
            let rt = SyncRuntime::new()?;
            let removed = rt.block_on(sync::remove(
                &journal,
                rt.relays(),
                &remove.name,
                &progress::sync(),
            ))?;
            let human = format!(
                "Removed {}. It can't sync any more, and what you write from now on is under a new key it never gets. Your other devices move to that key on their next sync, with nothing to do.",
                removed.device.name
            );
            Ok(Printed::new(json!(removed), human))
        }
    }
}

fn list(journal: &Journal) -> Result<Printed> {
    let devices = sync::devices(journal)?;
    let mut human = String::new();
    for d in &devices {
        let heard = match (d.this_device, d.last_heard) {
            (true, Some(at)) => format!("this device · last synced {}", dates::show(at)),
            (true, None) => "this device · not synced yet".to_string(),
            (false, Some(at)) => format!("last heard from {}", dates::show(at)),
            (false, None) => "not heard from yet".to_string(),
        };
        if d.recovery_kit {
            human.push_str(&format!(
                "{:<20} made {}\n",
                "recovery kit",
                dates::show(d.joined_at)
            ));
        } else {
            human.push_str(&format!(
                "{:<20} joined {} · {heard}\n",
                d.name,
                dates::show(d.joined_at)
            ));
        }
    }
    human.push_str("\n`onward devices remove NAME` removes one; `onward sync invite` adds one.");
    Ok(Printed::new(json!({ "devices": devices }), human))
}
