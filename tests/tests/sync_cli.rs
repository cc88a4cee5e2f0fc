//! Sync end to end: two or three devices (journal files) and a real relay on 127.0.0.1,
//! through the real `onward` binary. What a person would notice: everything arrives
//! everywhere, nothing is lost on a conflict or a refusal, errors say what to do, and
//! "In sync" appears only after a real check.

mod sync_support;

use onward_core::sync::envelope::{self, Sealed};
use onward_core::sync::pairing::{self, Code, CodeKind};
use onward_core::sync::relay::Connect;
use onward_core::sync::HttpRelays;
use std::sync::Mutex;
use sync_support::{Device, LoopbackRelay};

fn add_application(d: &Device, company: &str) -> String {
    d.json(&[
        "application",
        "add",
        "--company",
        company,
        "--role",
        "Data Engineer",
    ])["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn add_entry(d: &Device, text: &str) -> String {
    d.json(&["entry", "add", "--kind", "free", "--text", text])["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The relay client of a device's journal, with the device's own keys (from its key
/// file).
fn client_of(
    d: &Device,
    relay: &LoopbackRelay,
) -> (
    std::sync::Arc<dyn onward_core::sync::Relay>,
    onward_core::sync::keys::Keys,
) {
    let keys = d.keys();
    let client = HttpRelays::default().relay(&relay.url()).unwrap();
    (client, keys)
}

#[test]
fn two_devices_end_up_with_everything() {
    let dir = tempfile::tempdir().unwrap();
    let relay = LoopbackRelay::start(dir.path());
    let laptop = Device::new(dir.path(), "laptop");
    let phone = Device::new(dir.path(), "phone");
    add_application(&laptop, "Acme");
    add_entry(&laptop, "Long day, good talk with Dana");
    // The phone was used offline before it joined.
    phone.run(&["mood", "add", "--valence", "2", "--word", "tired"]);
    add_application(&phone, "Globex");

    let init = laptop.run(&["sync", "init", "--relay", &relay.url()]);
    assert!(
        init.contains("Sync is on, through http://127.0.0.1:"),
        "{init}"
    );
    assert!(init.contains("In sync."), "{init}");
    assert!(init.contains("run `onward sync invite` here"), "{init}");

    let joined = phone.join(&laptop, &[]);
    assert!(joined.contains("Joined the journal"), "{joined}");
    assert!(joined.contains("In sync."), "{joined}");
    let now = laptop.run(&["sync", "now"]);
    assert!(
        now.starts_with("Synced: sent 0 changes, received "),
        "{now}"
    );
    assert!(now.contains("In sync."), "{now}");

    let everything = laptop.titles();
    assert_eq!(everything.len(), 4, "{everything:?}");
    assert!(everything.iter().any(|t| t.contains("Globex")));
    assert!(everything.iter().any(|t| t.contains("Acme")));
    assert_eq!(phone.titles(), everything);

    // Pushing again sends nothing, and the relay holds no more batches than before.
    let before = laptop.json(&["sync", "status"]);
    let again = laptop.json(&["sync", "now"]);
    assert_eq!(again["pushed"]["changes"], 0);
    assert_eq!(again["pulled"]["changes"], 0);
    assert_eq!(again["status"]["in_sync"], true);
    let after = laptop.json(&["sync", "status"]);
    assert_eq!(after["relay_latest"], before["relay_latest"]);
    assert_eq!(phone.json(&["sync", "status"])["in_sync"], true);

    // A new entry goes across in one round.
    add_entry(&phone, "Sent the thank-you note");
    let sent = phone.json(&["sync", "now"]);
    assert_eq!(sent["pushed"]["batches"], 1);
    laptop.run(&["sync", "now"]);
    assert_eq!(laptop.titles(), phone.titles());
    assert_eq!(laptop.titles().len(), 5);
}

#[test]
fn a_concurrent_edit_of_one_entry_keeps_both_versions() {
    let dir = tempfile::tempdir().unwrap();
    let relay = LoopbackRelay::start(dir.path());
    let laptop = Device::new(dir.path(), "laptop");
    let phone = Device::new(dir.path(), "phone");
    let id = add_entry(&laptop, "A first draft about the interview");
    laptop.run(&["sync", "init", "--relay", &relay.url()]);
    phone.join(&laptop, &[]);

    laptop.run(&[
        "entry",
        "edit",
        &id,
        "--text",
        "Written on the laptop: it went well",
    ]);
    phone.run(&[
        "entry",
        "edit",
        &id,
        "--text",
        "Written on the phone: I was nervous",
    ]);
    laptop.run(&["sync", "now"]);
    phone.run(&["sync", "now"]);
    laptop.run(&["sync", "now"]);

    for device in [&laptop, &phone] {
        let shown = device.run(&["show", &id]);
        assert!(
            shown.contains("Written on the laptop: it went well"),
            "{shown}"
        );
        assert!(
            shown.contains("Written on the phone: I was nervous"),
            "{shown}"
        );
        assert!(
            shown.contains("Written differently on two devices"),
            "{shown}"
        );
        assert_eq!(device.json(&["sync", "status"])["in_sync"], true);
    }
}

#[test]
fn a_wrong_or_used_invitation_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let relay = LoopbackRelay::start(dir.path());
    let laptop = Device::new(dir.path(), "laptop");
    let phone = Device::new(dir.path(), "phone");
    let tablet = Device::new(dir.path(), "tablet");
    add_application(&laptop, "Acme");
    laptop.run(&["sync", "init", "--relay", &relay.url()]);
    add_entry(&phone, "Only on the phone");
    let before = std::fs::read(&phone.journal).unwrap();

    let code = laptop.invite();
    let mut flipped: Vec<char> = code.chars().collect();
    let i = code.len() / 2;
    flipped[i] = if flipped[i] == 'A' { 'B' } else { 'A' };
    let flipped: String = flipped.into_iter().collect();
    let err = phone.fail(&["sync", "join", &flipped, "--yes"]);
    assert!(err.contains("this invitation doesn't work"), "{err}");
    assert!(err.contains("onward sync invite"), "{err}");
    let err = phone.fail(&["sync", "join", &code[..code.len() - 6], "--yes"]);
    assert!(err.contains("this invitation doesn't work"), "{err}");
    let err = phone.fail(&["sync", "join", "HELLO-THERE", "--yes"]);
    assert!(err.contains("ONWARD2-"), "{err}");
    // A pairing code of protocol v1 is refused by name.
    let err = phone.fail(&[
        "sync",
        "join",
        "ONWARD1-MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPI",
        "--yes",
    ]);
    assert!(err.contains("a pairing code of an earlier Onward"), "{err}");

    // Without --yes and without a terminal to ask on, nothing is joined (and the
    // invitation stays usable).
    let err = phone.fail(&["sync", "join", &code]);
    assert!(err.contains("add --yes"), "{err}");

    // Well formed, but of an invitation the relay doesn't know.
    let stranger = pairing::encode(&Code {
        kind: CodeKind::Invitation,
        secret: vec![7; 16],
        journal_id: "0123456789abcdef0123456789abcdef".into(),
        relay_url: relay.url(),
    });
    let err = phone.fail(&["sync", "join", &stranger, "--yes"]);
    assert!(err.contains("already used or has expired"), "{err}");

    // The invitation works once: the tablet uses it, then it is refused.
    let joined = tablet.run(&["sync", "join", &code, "--yes"]);
    assert!(joined.contains("Joined the journal"), "{joined}");
    let err = phone.fail(&["sync", "join", &code, "--yes"]);
    assert!(err.contains("already used or has expired"), "{err}");
    assert!(err.contains("onward sync invite"), "{err}");

    // Nothing changed: no sync settings, no keys, the same records, the same file.
    let err = phone.fail(&["sync", "status"]);
    assert!(err.contains("sync isn't set up"), "{err}");
    assert!(err.contains("onward sync join"), "{err}");
    assert!(!phone.keys_dir().exists());
    assert_eq!(phone.titles().len(), 1);
    assert_eq!(std::fs::read(&phone.journal).unwrap(), before);
}

#[test]
fn with_the_relay_down_the_journal_keeps_working_and_catches_up_later() {
    let dir = tempfile::tempdir().unwrap();
    let mut relay = LoopbackRelay::start(dir.path());
    let laptop = Device::new(dir.path(), "laptop");
    let phone = Device::new(dir.path(), "phone");
    add_application(&laptop, "Acme");
    laptop.run(&["sync", "init", "--relay", &relay.url()]);
    phone.join(&laptop, &[]);

    relay.stop();
    add_entry(&laptop, "Written on the train");
    let err = laptop.fail(&["sync", "now"]);
    assert!(err.contains("couldn't reach the sync relay"), "{err}");
    assert!(err.contains("keeps working offline"), "{err}");
    // The journal works as ever, and status says what it can without failing.
    add_entry(&laptop, "And another one");
    assert_eq!(laptop.titles().len(), 3);
    let status = laptop.run(&["sync", "status"]);
    assert!(status.contains("Couldn't check with the relay"), "{status}");
    assert!(status.contains("To send      2 changes"), "{status}");
    assert!(!status.contains("In sync."), "{status}");
    let json = laptop.json(&["sync", "status"]);
    assert_eq!(json["in_sync"], false);
    assert!(json["last_error"]
        .as_str()
        .unwrap()
        .contains("couldn't reach"));

    relay.restart();
    let caught_up = laptop.run(&["sync", "now"]);
    assert!(
        caught_up.starts_with("Synced: sent 2 changes"),
        "{caught_up}"
    );
    assert!(caught_up.contains("In sync."), "{caught_up}");
    phone.run(&["sync", "now"]);
    assert_eq!(phone.titles(), laptop.titles());
    assert_eq!(
        laptop.json(&["sync", "status"])["last_error"],
        serde_json::Value::Null
    );
}

#[test]
fn status_says_in_sync_only_after_a_real_check() {
    let dir = tempfile::tempdir().unwrap();
    let relay = LoopbackRelay::start(dir.path());
    let laptop = Device::new(dir.path(), "laptop");
    let phone = Device::new(dir.path(), "phone");
    laptop.run(&["sync", "init", "--relay", &relay.url()]);
    phone.join(&laptop, &[]);
    assert!(laptop.run(&["sync", "status"]).ends_with("In sync.\n"));

    // Something new on the relay that this device hasn't pulled.
    add_entry(&phone, "From the phone");
    phone.run(&["sync", "now"]);
    let status = laptop.run(&["sync", "status"]);
    assert!(status.contains("The relay has newer changes."), "{status}");
    // Something here the relay doesn't have.
    laptop.run(&["sync", "now"]);
    add_entry(&laptop, "From the laptop");
    let status = laptop.run(&["sync", "status"]);
    assert!(status.contains("1 change to push"), "{status}");
    laptop.run(&["sync", "now"]);
    assert!(laptop.run(&["sync", "status"]).ends_with("In sync.\n"));
}

#[test]
fn a_tampered_batch_is_refused_and_the_others_still_apply() {
    let dir = tempfile::tempdir().unwrap();
    let relay = LoopbackRelay::start(dir.path());
    let laptop = Device::new(dir.path(), "laptop");
    let phone = Device::new(dir.path(), "phone");
    laptop.run(&["sync", "init", "--relay", &relay.url()]);
    phone.join(&laptop, &[]);

    // A changed envelope doesn't get past the relay: its signature no longer checks.
    let (client, keys) = client_of(&laptop, &relay);
    let forged = "00112233445566778899aabbccddeeff";
    let mut bad = envelope::seal(&keys, Sealed::Batch, forged, b"hello").unwrap();
    bad[40] ^= 0x55;
    let refused = relay.block_on(client.put_batch(&keys, forged, bad.clone()));
    let err = refused
        .expect_err("the relay takes no tampered envelope")
        .to_string();
    assert!(err.contains("forbidden"), "{err}");
    // So the relay itself changes a batch it stores, and a member (a buggy device) pushes
    // one that opens but holds no Automerge changes.
    bad[40] ^= 0x55;
    let stored = relay
        .block_on(client.put_batch(&keys, forged, bad))
        .unwrap();
    {
        let db = rusqlite::Connection::open(dir.path().join("relay.db")).unwrap();
        let changed = db
            .execute(
                "UPDATE batches SET envelope = \
                 CAST(substr(envelope, 1, 40) || x'55' || substr(envelope, 42) AS BLOB) \
                 WHERE batch_id = ?1 AND seq = ?2",
                rusqlite::params![forged, stored.seq as i64],
            )
            .unwrap();
        assert_eq!(changed, 1);
    }
    let garbage = "ffeeddccbbaa99887766554433221100";
    let sealed = envelope::seal(&keys, Sealed::Batch, garbage, b"not automerge").unwrap();
    relay
        .block_on(client.put_batch(&keys, garbage, sealed))
        .unwrap();
    add_entry(&laptop, "A real entry after them");
    laptop.run(&["sync", "now"]);

    let now = phone.run(&["sync", "now"]);
    assert!(now.contains("2 batches from the relay"), "{now}");
    assert!(
        now.contains("were not applied; everything else was"),
        "{now}"
    );
    assert!(phone
        .titles()
        .iter()
        .any(|t| t.contains("A real entry after them")));
    let status = phone.json(&["sync", "status"]);
    let refused = status["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 2);
    assert_eq!(refused[0]["batch_id"], forged);
    assert!(refused[0]["reason"]
        .as_str()
        .unwrap()
        .contains("changed on the way"));
    assert_eq!(refused[1]["batch_id"], garbage);
    assert!(refused[1]["reason"]
        .as_str()
        .unwrap()
        .contains("could not be read"));
    let human = phone.run(&["sync", "status"]);
    let seq = &refused[0]["seq"];
    assert!(
        human.contains(&format!(
            "Refused      batch {seq} ({forged}): its signature doesn't check out"
        )),
        "{human}"
    );
    // The refused batches hold nothing of the journal, so the rest is in sync.
    assert_eq!(status["in_sync"], true);
    // Both devices still converge.
    assert_eq!(laptop.titles(), phone.titles());
}

#[test]
fn a_new_device_starts_from_a_snapshot_and_a_behind_one_catches_up_from_it() {
    let dir = tempfile::tempdir().unwrap();
    let relay = LoopbackRelay::start(dir.path());
    let laptop = Device::new(dir.path(), "laptop");
    let phone = Device::new(dir.path(), "phone");
    let tablet = Device::new(dir.path(), "tablet");
    add_application(&laptop, "Acme");
    laptop.run(&["sync", "init", "--relay", &relay.url()]);
    phone.join(&laptop, &[]);
    for company in ["Globex", "Initech", "Umbrella"] {
        add_application(&laptop, company);
        laptop.run(&["sync", "now"]);
    }

    // The laptop is caught up: it uploads a snapshot, and the relay drops the batches.
    let journal = Mutex::new(laptop.open());
    let uploaded = relay
        .block_on(onward_core::sync::upload_snapshot(
            &journal,
            &HttpRelays::default(),
            &onward_core::sync::progress::ignore,
        ))
        .unwrap()
        .expect("a snapshot is uploaded");
    drop(journal);
    let (client, keys) = client_of(&laptop, &relay);
    let info = relay.block_on(client.info(&keys)).unwrap();
    assert_eq!(info.pruned_through, uploaded.covers);
    assert_eq!(info.snapshot.as_ref().unwrap().id, uploaded.snapshot_id);

    // A new device starts from it.
    add_entry(&tablet, "Notes from before the tablet joined");
    let joined = tablet.json(&["sync", "join", &laptop.invite(), "--yes"]);
    assert_eq!(joined["pulled"]["from_snapshot"], true);
    assert_eq!(joined["status"]["in_sync"], true);
    // The phone, whose cursor is below what the relay dropped, starts from it too.
    let phone_now = phone.json(&["sync", "now"]);
    assert_eq!(phone_now["pulled"]["from_snapshot"], true);
    laptop.run(&["sync", "now"]);
    assert_eq!(laptop.titles().len(), 5);
    assert_eq!(phone.titles(), laptop.titles());
    assert_eq!(tablet.titles(), laptop.titles());
}

#[test]
fn sync_off_forgets_the_relay_and_keeps_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let relay = LoopbackRelay::start(dir.path());
    let laptop = Device::new(dir.path(), "laptop");
    add_application(&laptop, "Acme");
    laptop.run(&["sync", "init", "--relay", &relay.url()]);
    let again = laptop.fail(&["sync", "init", "--relay", &relay.url()]);
    assert!(again.contains("already syncs through"), "{again}");
    let off = laptop.run(&["sync", "off"]);
    assert!(off.contains("Sync is off"), "{off}");
    assert_eq!(laptop.titles().len(), 1);
    assert!(laptop.fail(&["sync", "now"]).contains("sync isn't set up"));
    let err = laptop.fail(&["sync", "init", "--relay", "ftp://relay.example.org"]);
    assert!(err.contains("should start with https://"), "{err}");
    // Plain HTTP to another machine is refused unless allowed.
    let err = laptop.fail(&["sync", "init", "--relay", "http://relay.example.org"]);
    assert!(err.contains("unencrypted"), "{err}");
    assert!(err.contains("--allow-insecure-http"), "{err}");
}

#[test]
fn a_relay_that_asks_for_registration_tokens_takes_a_journal_only_with_its_token() {
    let dir = tempfile::tempdir().unwrap();
    let relay = LoopbackRelay::start_with(dir.path(), |c| {
        c.registration = onward_relay::guard::Registration::Token("for-dana".into());
    });
    let laptop = Device::new(dir.path(), "laptop");
    add_application(&laptop, "Initech");
    let refused = laptop.fail(&["sync", "init", "--relay", &relay.url()]);
    assert!(refused.contains("registration token"), "{refused}");
    let refused = laptop.fail(&[
        "sync",
        "init",
        "--relay",
        &relay.url(),
        "--registration-token",
        "not-it",
    ]);
    assert!(refused.contains("registration token"), "{refused}");

    let init = laptop.run(&[
        "sync",
        "init",
        "--relay",
        &relay.url(),
        "--registration-token",
        "for-dana",
    ]);
    assert!(init.contains("Sync is on"), "{init}");
    assert!(init.contains("In sync."), "{init}");
    // A device joining by invitation needs no token.
    let phone = Device::new(dir.path(), "phone");
    let joined = phone.join(&laptop, &[]);
    assert!(joined.contains("Joined the journal"), "{joined}");
    assert!(phone.titles().iter().any(|t| t.contains("Initech")));
}
