//! Sync: turning it on with a relay, where it stands (asked of the relay each time the
//! page is drawn), an invitation for a phone as a QR code, and the journal's devices.
//! Every step is the core's, as `onward sync` takes it.

use crate::html::{csrf_field, day, escape, page, Screen};
use crate::state::{Desk, Trouble};
use axum::extract::State;
use axum::response::{Html, Redirect};
use axum::Form;
use onward_core::sync::{self, Device, SyncRuntime, SyncStatus};
use onward_core::words::plural;
use onward_core::zone::Zone;
use onward_core::Journal;
use serde::Deserialize;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// How long an invitation made here stays usable, as `onward sync invite` by default.
const INVITATION_MINUTES: u64 = 10;

/// The one sync runtime of this server, made when sync is first used.
static RUNTIME: OnceLock<SyncRuntime> = OnceLock::new();

fn runtime() -> onward_core::Result<&'static SyncRuntime> {
    if let Some(rt) = RUNTIME.get() {
        return Ok(rt);
    }
    let made = SyncRuntime::new()?;
    Ok(RUNTIME.get_or_init(|| made))
}

/// Runs one sync `step` on a blocking thread, on the sync runtime.
async fn with_sync<T: Send + 'static>(
    desk: &Desk,
    step: impl FnOnce(&Mutex<Journal>, &SyncRuntime) -> onward_core::Result<T> + Send + 'static,
) -> Result<T, Trouble> {
    let desk = desk.clone();
    tokio::task::spawn_blocking(move || step(desk.journal_mutex(), runtime()?))
        .await
        .map_err(|_| Trouble::Gone)?
        .map_err(Trouble::Journal)
}

pub async fn show(State(desk): State<Desk>) -> Result<Html<String>, Trouble> {
    let on = desk
        .with_journal(|j| Ok(j.sync_settings()?.is_some()))
        .await?;
    if !on {
        return Ok(page(Screen::Sync, "Sync", false, &turn_on_form(&desk)));
    }
    let (status, devices, zone) = with_sync(&desk, |journal, rt| {
        let status = rt.block_on(sync::status(journal, rt.relays()))?;
        let j = journal.lock().unwrap_or_else(|p| p.into_inner());
        Ok((status, sync::devices(&j)?, j.zone()))
    })
    .await?;
    let body = format!(
        "<h1>Sync</h1>
<section aria-labelledby=\"where\"><h2 id=\"where\">Where it stands</h2>
<p id=\"sync-summary\" class=\"summary\">{summary}</p>{details}
<form method=\"post\" action=\"/sync/now\">{csrf}<button>Sync now</button></form></section>
<section aria-labelledby=\"add\"><h2 id=\"add\">Add a phone or another computer</h2>
<p>An invitation works once, for {minutes} minutes. Scan it with Onward on your phone, or type its code on your other device.</p>
<form method=\"post\" action=\"/sync/invite\">{csrf}<button>Make an invitation</button></form></section>
<section aria-labelledby=\"devices\"><h2 id=\"devices\">This journal's devices</h2>{devices}</section>",
        summary = escape(&status.summary()),
        details = status_details(&status, zone),
        csrf = csrf_field(&desk),
        minutes = INVITATION_MINUTES,
        devices = device_list(&devices, zone),
    );
    Ok(page(Screen::Sync, "Sync", false, &body))
}

fn turn_on_form(desk: &Desk) -> String {
    format!(
        "<h1>Sync</h1>
<p>Sync keeps this journal in step with your phone and other computers through a relay. The relay stores only what it cannot read: your journal is encrypted on this device.</p>
<form method=\"post\" action=\"/sync/on\" class=\"stack\">{csrf}
<label for=\"relay\">The relay's address</label><input id=\"relay\" name=\"relay\" type=\"url\" required placeholder=\"https://relay.example.org\">
<label for=\"name\">How your other devices name this one</label><input id=\"name\" name=\"name\" required value=\"{name}\">
<label for=\"token\">Registration token <small>(only if the relay's people gave you one)</small></label><input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"off\">
<label class=\"check\"><input type=\"checkbox\" name=\"plain_http\" value=\"yes\"> The relay is on another machine at a plain http:// address (its traffic is then not encrypted on the way; your journal still is)</label>
<button>Turn sync on</button>
</form>",
        csrf = csrf_field(desk),
        name = escape(&sync::default_device_name()),
    )
}

/// The numbers behind the summary, in words.
fn status_details(status: &SyncStatus, zone: Zone) -> String {
    let last = status
        .last_success_at
        .map(|at| day(at, zone))
        .unwrap_or_else(|| "never".into());
    let mut rows = format!(
        "<dt>Relay</dt><dd>{}</dd><dt>Last synced</dt><dd>{}</dd><dt>Waiting to be sent</dt><dd>{}</dd>",
        escape(&status.relay_url),
        escape(&last),
        escape(&plural(status.pending_changes, "change")),
    );
    if let Some(why) = &status.unreachable {
        rows.push_str(&format!(
            "<dt>Asking the relay</dt><dd>{}</dd>",
            escape(why)
        ));
    } else if let Some(error) = &status.last_error {
        rows.push_str(&format!("<dt>Last problem</dt><dd>{}</dd>", escape(error)));
    }
    format!("<dl class=\"facts\">{rows}</dl>")
}

fn device_list(devices: &[Device], zone: Zone) -> String {
    let items: String = devices
        .iter()
        .map(|d| {
            if d.recovery_kit {
                return format!(
                    "<li>A recovery kit <small>made {}</small></li>",
                    escape(&day(d.joined_at, zone))
                );
            }
            let heard = match (d.this_device, d.last_heard) {
                (true, Some(at)) => format!("this device · last synced {}", day(at, zone)),
                (true, None) => "this device · not synced yet".into(),
                (false, Some(at)) => format!("last heard from {}", day(at, zone)),
                (false, None) => "not heard from yet".into(),
            };
            format!(
                "<li>{} <small>joined {} · {}</small></li>",
                escape(&d.name),
                escape(&day(d.joined_at, zone)),
                escape(&heard)
            )
        })
        .collect();
    format!("<ul class=\"records\" id=\"device-list\">{items}</ul>")
}

#[derive(Deserialize)]
pub struct TurnOn {
    relay: String,
    name: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    plain_http: Option<String>,
}

/// Turns sync on and sends the journal a first time; the status page then says how the
/// first round went.
pub async fn turn_on(
    State(desk): State<Desk>,
    Form(form): Form<TurnOn>,
) -> Result<Redirect, Trouble> {
    with_sync(&desk, move |journal, rt| {
        let token = Some(form.token.trim()).filter(|t| !t.is_empty());
        rt.block_on(sync::enable_with_token(
            journal,
            rt.relays(),
            form.relay.trim(),
            form.plain_http.is_some(),
            form.name.trim(),
            token,
        ))?;
        // A first round that fails is told by the status page, from the journal.
        let _ = rt.block_on(sync::sync_now(
            journal,
            rt.relays(),
            &sync::progress::ignore,
        ));
        Ok(())
    })
    .await?;
    Ok(Redirect::to("/sync"))
}

pub async fn now(State(desk): State<Desk>) -> Result<Redirect, Trouble> {
    with_sync(&desk, |journal, rt| {
        rt.block_on(sync::sync_now(
            journal,
            rt.relays(),
            &sync::progress::ignore,
        ))
    })
    .await?;
    Ok(Redirect::to("/sync"))
}

pub async fn invite(State(desk): State<Desk>) -> Result<Html<String>, Trouble> {
    let invite = with_sync(&desk, |journal, rt| {
        rt.block_on(sync::invite(
            journal,
            rt.relays(),
            Duration::from_secs(INVITATION_MINUTES * 60),
        ))
    })
    .await?;
    let picture = onward_local::qr::svg(&invite.code, "The invitation as a QR code")
        .unwrap_or_else(|e| {
            format!(
                "<p>(No QR code: {}.) Type the code instead.</p>",
                escape(&e)
            )
        });
    let body = format!(
        "<h1>An invitation</h1>
<p>Scan this with Onward on your phone. It works once, for {INVITATION_MINUTES} minutes.</p>
<figure class=\"qr\">{picture}</figure>
<div class=\"invitation\"><label for=\"invitation\">Or type this code on your other device (on a computer: <code>onward sync join</code>)</label>
<textarea id=\"invitation\" readonly rows=\"4\">{code}</textarea></div>
<p><a href=\"/sync\">Back to Sync</a></p>",
        code = escape(&invite.code),
    );
    Ok(page(Screen::Other, "An invitation", false, &body))
}
