//! What goes wrong is said plainly, on stderr, with the right exit code, and changes
//! nothing.

mod support;

use support::{short, Onward};

#[test]
fn an_unknown_id_says_so_and_how_to_find_one() {
    let o = Onward::new();
    let f = o.fail(&["show", "deadbeef"]);
    assert_eq!(f.code, 1);
    assert!(f.stdout.is_empty());
    assert!(
        f.stderr
            .starts_with("error: nothing in this journal has the id deadbeef"),
        "{}",
        f.stderr
    );
    assert!(f.stderr.contains("onward timeline"), "{}", f.stderr);
    let f = o.fail(&["--json", "application", "stage", "abc", "offer"]);
    assert!(f.stderr.contains("at least 4 characters"), "{}", f.stderr);
    assert!(
        f.stdout.is_empty(),
        "nothing but JSON on stdout, and no JSON for an error"
    );
}

#[test]
fn a_bad_choice_lists_the_choices() {
    let o = Onward::new();
    let app = o.json(&["application", "add", "--company", "Acme", "--role", "Dev"]);
    let f = o.fail(&["application", "stage", &short(&app["id"]), "bogus"]);
    assert_eq!(f.code, 2, "a usage error");
    assert!(f.stderr.contains("\"bogus\""), "{}", f.stderr);
    assert!(
        f.stderr
            .contains("saved, applied, screening, interviewing, final, offer"),
        "{}",
        f.stderr
    );
    let f = o.fail(&["message", "draft", "--kind", "thanks"]);
    assert!(
        f.stderr
            .contains("thank-you, feedback-request, follow-up, networking"),
        "{}",
        f.stderr
    );
    // Both spellings are taken.
    o.json(&["application", "outcome", &short(&app["id"]), "no_response"]);
    assert_eq!(
        o.json(&[
            "application",
            "outcome",
            &short(&app["id"]),
            "offer-declined"
        ])["fields"]["outcome"],
        "offer_declined"
    );
}

#[test]
fn out_of_range_values_are_refused_and_nothing_is_stored() {
    let o = Onward::new();
    let f = o.fail(&[
        "application",
        "add",
        "--company",
        "Acme",
        "--role",
        "Dev",
        "--excitement",
        "9",
    ]);
    assert_eq!(f.code, 2);
    assert!(
        f.stderr.contains("--excitement") && f.stderr.contains('9'),
        "{}",
        f.stderr
    );
    assert!(o.json(&["timeline"]).as_array().unwrap().is_empty());
    let f = o.fail(&["mood", "add", "--valence", "0"]);
    assert!(f.stderr.contains("--valence"), "{}", f.stderr);
    let f = o.fail(&[
        "application",
        "add",
        "--company",
        "Acme",
        "--role",
        "Dev",
        "--applied",
        "next tuesdayish",
    ]);
    assert_eq!(f.code, 2);
    assert!(f.stderr.contains("not a date I can read"), "{}", f.stderr);
    let f = o.fail(&["goal", "progress", "abcd", "140"]);
    assert_eq!(f.code, 2);
}

#[test]
fn an_id_of_the_wrong_kind_names_both_kinds() {
    let o = Onward::new();
    let app = o.json(&["application", "add", "--company", "Acme", "--role", "Dev"]);
    let sam = o.json(&["contact", "add", "--name", "Sam"]);
    let (app, sam) = (short(&app["id"]), short(&sam["id"]));
    let cases: [(&[&str], &str); 5] = [
        (
            &["mood", "add", "--valence", "3", "--rejection", &app],
            "is an application, not a rejection",
        ),
        (
            &[
                "entry",
                "add",
                "--kind",
                "debrief",
                "--interview",
                &app,
                "--text",
                "x",
            ],
            "is an application, not an interview",
        ),
        (
            &[
                "message",
                "draft",
                "--kind",
                "thank-you",
                "--application",
                &sam,
            ],
            "is a contact, not an application",
        ),
        (
            &["application", "stage", &sam, "offer"],
            "is a contact, not an application",
        ),
        (
            &["goal", "progress", &app, "50"],
            "is an application, not a goal",
        ),
    ];
    for (args, expected) in cases {
        let f = o.fail(args);
        assert_eq!(f.code, 1, "{args:?}");
        assert!(f.stderr.contains(expected), "{args:?}: {}", f.stderr);
    }
    assert_eq!(
        o.json(&["timeline"]).as_array().unwrap().len(),
        2,
        "nothing was stored"
    );
}

#[test]
fn an_answer_to_another_kinds_prompt_lists_the_right_ones() {
    let o = Onward::new();
    let f = o.fail(&[
        "entry",
        "add",
        "--kind",
        "gratitude",
        "--answer",
        "needed=x",
    ]);
    assert_eq!(f.code, 1);
    assert!(
        f.stderr
            .contains("not a prompt of gratitude entries (they are: three, person)"),
        "{}",
        f.stderr
    );
    let f = o.fail(&["entry", "add", "--kind", "free"]);
    assert!(f.stderr.contains("nothing to save"), "{}", f.stderr);
    assert!(f.stderr.contains("--edit"), "says what to do: {}", f.stderr);
}

#[test]
fn a_garbage_file_is_named_and_left_untouched() {
    let o = Onward::new();
    let garbage = b"this is a shopping list, not a journal: eggs, flour, butter\n".repeat(20);
    std::fs::write(&o.journal, &garbage).unwrap();
    for args in [
        &["timeline"][..],
        &["application", "add", "--company", "A", "--role", "B"],
        &["doctor"],
    ] {
        let f = o.fail(args);
        assert_eq!(f.code, 1);
        assert!(f.stderr.starts_with("error: "), "{}", f.stderr);
        assert!(
            f.stderr.contains(o.journal.to_str().unwrap()),
            "names the file: {}",
            f.stderr
        );
        assert!(f.stderr.contains("left untouched"), "{}", f.stderr);
    }
    assert_eq!(std::fs::read(&o.journal).unwrap(), garbage);
    let leftovers: Vec<_> = std::fs::read_dir(o.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        1,
        "no -wal or -shm beside it: {leftovers:?}"
    );
}

#[test]
fn another_programs_database_is_refused_and_left_untouched() {
    let o = Onward::new();
    let other = o.path("recipes.sqlite");
    let db = rusqlite::Connection::open(&other).unwrap();
    db.execute_batch("CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('bread');")
        .unwrap();
    drop(db);
    let before = std::fs::read(&other).unwrap();

    let mut cmd = o.command(&["timeline"]);
    cmd.arg("--journal").arg(&other);
    let f = support::failed(&["timeline"], cmd.output().unwrap());
    assert_eq!(f.code, 1);
    assert!(
        f.stderr
            .contains("recipes.sqlite is an SQLite database of another program"),
        "{}",
        f.stderr
    );

    let f = o.fail(&["merge", other.to_str().unwrap()]);
    assert!(f.stderr.contains("recipes.sqlite"), "{}", f.stderr);
    let f = o.fail(&["merge", "/nonexistent/journal.onward"]);
    assert!(
        f.stderr.contains("/nonexistent/journal.onward"),
        "{}",
        f.stderr
    );
    assert_eq!(std::fs::read(&other).unwrap(), before);
}

#[test]
fn the_journal_flag_overrides_the_environment() {
    let o = Onward::new();
    let from_env = o.path("env.onward");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_onward"));
    let out = cmd
        .args(["--json", "contact", "add", "--name", "Sam"])
        .env("ONWARD_JOURNAL", &from_env)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(from_env.exists(), "ONWARD_JOURNAL chooses the file");
    // With --journal too, the flag wins.
    let mut cmd = o.command(&["contact", "list", "--json"]);
    cmd.env("ONWARD_JOURNAL", &from_env);
    let out = cmd.output().unwrap();
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        list.as_array().unwrap().is_empty(),
        "the flag's journal has no contacts"
    );
}

#[test]
fn a_reminder_key_that_matches_nothing_is_refused() {
    let o = Onward::new();
    o.json(&[
        "application",
        "add",
        "--company",
        "Acme",
        "--role",
        "Dev",
        "--applied",
        "10d ago",
    ]);
    let f = o.fail(&["reminders", "done", "follow_up:zzzz"]);
    assert_eq!(f.code, 1);
    assert!(
        f.stderr
            .contains("no pending reminder has the key follow_up:zzzz"),
        "{}",
        f.stderr
    );
    assert!(f.stderr.contains("onward reminders --all"), "{}", f.stderr);
    let done = o.json(&["reminders", "done", "follow"]);
    assert!(
        done["key"].as_str().unwrap().starts_with("follow_up:"),
        "a unique start is enough: {done}"
    );
    let f = o.fail(&["reminders", "snooze", "follow_up", "--for", "2d"]);
    assert!(
        f.stderr.contains("no pending reminder"),
        "done ones are no longer pending: {}",
        f.stderr
    );
}
