//! Help, prompts and completions: what a person reads before anything is stored.

mod support;

use support::Onward;

#[test]
fn help_reads_well_and_lists_every_noun() {
    let o = Onward::new();
    let help = o.run(&["--help"]);
    for noun in [
        "application",
        "interview",
        "contact",
        "rejection",
        "message",
        "entry",
        "prompts",
        "mood",
        "activity",
        "goal",
        "reminders",
        "timeline",
        "show",
        "search",
        "delete",
        "restore",
        "tag",
        "doctor",
        "merge",
        "completions",
    ] {
        assert!(help.contains(&format!("  {noun}")), "{noun} in:\n{help}");
    }
    assert!(
        help.contains("--journal <PATH>") && help.contains("--json"),
        "{help}"
    );
    let add = o.run(&["rejection", "add", "--help"]);
    assert!(
        add.contains("stronger-candidate"),
        "choices are listed with hyphens: {add}"
    );
    assert!(add.contains("`-` reads it from"), "{add}");
    assert!(!o.journal.exists(), "help opens no journal");
}

#[test]
fn prompts_list_each_kind_with_ids() {
    let o = Onward::new();
    let text = o.run(&["prompts", "--kind", "debrief"]);
    assert!(
        text.contains("wanted_to_see  What did the interviewer need to see from a candidate?"),
        "{text}"
    );
    assert!(
        text.contains("onward entry add --kind debrief --answer needed="),
        "{text}"
    );
    let all = o.json(&["prompts"]);
    let kinds: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "free",
            "rejection_reflection",
            "debrief",
            "expressive",
            "gratitude",
            "weekly_review",
            "learning_log"
        ]
    );
    assert_eq!(all[2]["key"], "debrief@1");
}

#[test]
fn completions_are_printed_for_each_shell() {
    let o = Onward::new();
    for shell in ["bash", "zsh", "fish"] {
        let script = o.run(&["completions", shell]);
        assert!(
            script.contains("onward") && script.contains("application"),
            "{shell}"
        );
    }
    assert!(
        o.run(&["completions", "bash"]).contains("thank-you"),
        "enum values complete too"
    );
}

#[test]
fn an_activity_idea_comes_with_the_command_to_plan_it() {
    let o = Onward::new();
    o.json(&[
        "activity",
        "add",
        "--category",
        "social",
        "--description",
        "Lunch with Ana",
        "--planned",
        "tomorrow",
    ]);
    let idea = o.json(&["activity", "suggest"]);
    assert_ne!(idea["category"], "social", "not what was done lately");
    assert!(idea["command"]
        .as_str()
        .unwrap()
        .starts_with("onward activity add --category "));
    let planned = o.json(&["timeline", "--kind", "activity"]);
    let done = o.json(&[
        "activity",
        "done",
        &support::short(&planned[0]["id"]),
        "--mood-after",
        "4",
    ]);
    assert_eq!(done["fields"]["mood_after"], 4);
    assert!(!done["fields"]["done_at"].is_null());
}

#[test]
fn the_commands_that_usually_talk_print_json_under_json_too() {
    let o = Onward::new();
    let app = o.json(&[
        "application",
        "add",
        "--company",
        "Acme",
        "--role",
        "Dev",
        "--applied",
        "9d ago",
    ]);
    let a = support::short(&app["id"]);
    let ask = o.json(&[
        "message",
        "draft",
        "--kind",
        "follow-up",
        "--application",
        &a,
    ]);
    let m = support::short(&ask["id"]);
    for args in [
        vec!["application", "outcome", &a, "withdrawn"],
        vec!["message", "sent", &m],
        vec!["message", "declined", &m],
        vec!["message", "no-reply", &m],
        vec!["tag", &a, "later"],
        vec!["delete", &m],
        vec!["restore", &m],
        vec!["completions", "zsh"],
        vec!["reminders", "--upcoming", "30"],
        vec!["doctor", "--rebuild-index"],
    ] {
        let out = o.json(&args);
        assert!(out.is_object() || out.is_array(), "{args:?}: {out}");
    }
    let deleted = o.json(&["delete", &a]);
    assert_eq!(deleted["fields"]["deleted"], true);
    assert_eq!(o.json(&["completions", "bash"])["shell"], "bash");
}
