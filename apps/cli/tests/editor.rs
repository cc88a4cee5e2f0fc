//! Writing in $VISUAL or $EDITOR: the form shows the kind's prompts as sections, and what is
//! written under each comes back as that prompt's answer.

#![cfg(unix)]

mod support;

use support::{script, short, succeeded, Onward};

#[test]
fn a_debrief_written_in_the_editor_keeps_each_answer_under_its_prompt() {
    let o = Onward::new();
    let app = o.json(&[
        "application",
        "add",
        "--company",
        "Acme",
        "--role",
        "Data Engineer",
        "--applied",
    ]);
    let interview = o.json(&[
        "interview",
        "add",
        "--application",
        &short(&app["id"]),
        "--kind",
        "panel",
        "--at",
        "1h ago",
        "--question",
        "Why this team?",
    ]);
    let editor = o.path("editor.sh");
    let copy = o.path("form-as-shown.md");
    // Keeps a copy of the form, then writes under two headings and at the end.
    script(
        &editor,
        &format!(
            "cp \"$1\" '{copy}'
sed -i 's/^## What did the interviewer need to see.*$/&\\nSomeone calm on call/' \"$1\"
sed -i 's/^## Where did you show it clearly.*$/&\\nThe outage story/' \"$1\"
printf 'Tired but glad I went.\\n' >> \"$1\"",
            copy = copy.display()
        ),
    );
    let mut cmd = o.command(&[
        "--json",
        "entry",
        "add",
        "--kind",
        "debrief",
        "--interview",
        &short(&interview["id"]),
        "--edit",
    ]);
    cmd.env("EDITOR", &editor);
    let entry: serde_json::Value =
        serde_json::from_str(&succeeded(&["entry", "add"], cmd.output().unwrap())).unwrap();

    let form = std::fs::read_to_string(&copy).unwrap();
    assert!(
        form.contains("The panel interview for Data Engineer at Acme")
            && form.contains("They asked:\n       - Why this team?"),
        "the form recalls the interview: {form}"
    );
    assert!(
        form.contains("Sit on the other side of the table"),
        "the intro: {form}"
    );
    assert!(
        form.contains("## What problem was the team trying to solve by hiring? <!-- needed -->"),
        "{form}"
    );
    assert!(form.contains("<!-- wanted_to_see -->"), "{form}");

    let fields = &entry["fields"];
    assert_eq!(fields["answers"]["wanted_to_see"], "Someone calm on call");
    assert_eq!(fields["answers"]["showed"], "The outage story");
    assert_eq!(
        fields["answers"].as_object().unwrap().len(),
        2,
        "empty sections are no answers"
    );
    assert_eq!(fields["body"], "Tired but glad I went.");
    assert_eq!(fields["interview_id"], interview["id"]);
    let due = o.json(&["reminders", "--all"]);
    assert!(
        !support::rules(&due)
            .iter()
            .any(|(rule, _)| rule == "debrief"),
        "the debrief is written: {due:#}"
    );
}

#[test]
fn an_untouched_form_stores_nothing() {
    let o = Onward::new();
    let mut cmd = o.command(&["entry", "add", "--kind", "gratitude", "--edit"]);
    cmd.env("EDITOR", "true");
    let out = succeeded(&["entry", "add"], cmd.output().unwrap());
    assert!(
        out.contains("Nothing written, so nothing was saved"),
        "{out}"
    );
    assert!(o.json(&["timeline"]).as_array().unwrap().is_empty());
}

#[test]
fn visual_is_used_when_editor_is_unset_and_a_failing_editor_saves_nothing() {
    let o = Onward::new();
    let editor = o.path("visual.sh");
    script(&editor, "printf 'Written in VISUAL\\n' >> \"$1\"");
    let mut cmd = o.command(&["--json", "entry", "add", "--kind", "free", "--edit"]);
    cmd.env("VISUAL", &editor);
    let entry: serde_json::Value =
        serde_json::from_str(&succeeded(&[], cmd.output().unwrap())).unwrap();
    assert_eq!(entry["fields"]["body"], "Written in VISUAL");

    let mut cmd = o.command(&["entry", "add", "--kind", "free", "--edit"]);
    cmd.env("EDITOR", "false");
    let f = support::failed(&[], cmd.output().unwrap());
    assert_eq!(f.code, 1);
    assert!(f.stderr.contains("nothing was saved"), "{}", f.stderr);
    assert_eq!(o.json(&["timeline"]).as_array().unwrap().len(), 1);
}

#[test]
fn visual_wins_over_editor_when_both_are_set() {
    let o = Onward::new();
    let visual = o.path("visual.sh");
    script(&visual, "printf 'Written in VISUAL\\n' >> \"$1\"");
    let editor = o.path("editor.sh");
    script(&editor, "printf 'Written in EDITOR\\n' >> \"$1\"");
    let mut cmd = o.command(&["--json", "entry", "add", "--kind", "free", "--edit"]);
    cmd.env("VISUAL", &visual).env("EDITOR", &editor);
    let entry: serde_json::Value =
        serde_json::from_str(&succeeded(&[], cmd.output().unwrap())).unwrap();
    assert_eq!(entry["fields"]["body"], "Written in VISUAL");
}

#[test]
fn editing_an_entry_and_a_draft_in_the_editor_starts_from_what_is_there() {
    let o = Onward::new();
    let entry = o.json(&[
        "entry",
        "add",
        "--kind",
        "gratitude",
        "--answer",
        "three=Sun, tea, a call with Mum",
    ]);
    let editor = o.path("editor.sh");
    script(
        &editor,
        "sed -i 's/a call with Mum/a long call with Mum/' \"$1\"",
    );
    let mut cmd = o.command(&["--json", "entry", "edit", &short(&entry["id"])]);
    cmd.env("EDITOR", &editor).arg("--edit");
    let edited: serde_json::Value =
        serde_json::from_str(&succeeded(&[], cmd.output().unwrap())).unwrap();
    assert_eq!(
        edited["fields"]["answers"]["three"],
        "Sun, tea, a long call with Mum"
    );

    let draft = o.json(&[
        "message",
        "draft",
        "--kind",
        "networking",
        "--text",
        "Hi Sam, coffee soon?",
    ]);
    let sed = o.path("sed.sh");
    script(&sed, "sed -i 's/coffee soon/coffee on Friday/' \"$1\"");
    let mut cmd = o.command(&["--json", "message", "edit", &short(&draft["id"])]);
    cmd.env("EDITOR", &sed);
    let edited: serde_json::Value =
        serde_json::from_str(&succeeded(&[], cmd.output().unwrap())).unwrap();
    assert_eq!(edited["fields"]["body"], "Hi Sam, coffee on Friday?");
}

#[test]
fn with_a_terminal_and_no_text_the_editor_opens_by_itself() {
    // `script` gives the command a terminal, as a person typing would have.
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: no `script` to provide a terminal");
        return;
    }
    let o = Onward::new();
    let editor = o.path("editor.sh");
    script(&editor, "printf 'Written at the keyboard\\n' >> \"$1\"");
    let line = format!(
        "EDITOR='{}' '{}' --journal '{}' entry add --kind free",
        editor.display(),
        env!("CARGO_BIN_EXE_onward"),
        o.journal.display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("Saved your free entry"), "{said}");
    let hits = o.json(&["search", "keyboard"]);
    assert_eq!(hits[0]["fields"]["body"], "Written at the keyboard");
}
