//! The whole journey through the real binary: an application, its interview, a no and
//! the steps after it, writing, resting, growing, reminders, finding it all again.

mod support;

use serde_json::Value;
use support::{days_ago, rules, short, Onward};

fn has(reminders: &Value, rule: &str, target: &Value) -> bool {
    rules(reminders).contains(&(rule.to_string(), target.as_str().unwrap().to_string()))
}

#[test]
fn from_application_to_moving_forward() {
    let o = Onward::new();

    // An application ten days ago, and one that goes quiet.
    let acme = o.json(&[
        "application",
        "add",
        "--company",
        "Acme",
        "--role",
        "Data Engineer",
        "--applied",
        &days_ago(10),
        "--excitement",
        "4",
        "--source",
        "referral",
        "--tag",
        "dream",
    ]);
    let a = acme["id"].clone();
    assert_eq!(acme["kind"], "application");
    assert_eq!(acme["fields"]["stage"], "applied");
    assert_eq!(acme["fields"]["excitement"], 4);
    let globex = o.json(&[
        "application",
        "add",
        "--company",
        "Globex",
        "--role",
        "Backend Engineer",
        "--applied",
        &days_ago(10),
    ]);
    let b = globex["id"].clone();

    let moved = o.json(&[
        "application",
        "stage",
        &short(&a),
        "screening",
        "--at",
        "5d ago",
    ]);
    assert_eq!(moved["fields"]["stage"], "screening");
    assert_eq!(moved["fields"]["history"].as_array().unwrap().len(), 2);
    let human = o.run(&[
        "application",
        "stage",
        &short(&a)[..5],
        "interviewing",
        "--at",
        "4d ago",
    ]);
    assert!(
        human.contains("Moved on: Data Engineer at Acme, now at Interviewing."),
        "{human}"
    );

    // The interview: Dana becomes a contact, the questions are kept.
    let interview = o.json(&[
        "interview",
        "add",
        "--application",
        &short(&a),
        "--kind",
        "technical",
        "--at",
        "2d ago",
        "--interviewer",
        "Dana Lee",
        "--question",
        "Design a rate limiter",
        "--question",
        "Tell me about an outage",
        "--rating",
        "4",
    ]);
    let i = interview["id"].clone();
    assert_eq!(
        interview["fields"]["questions"][1],
        "Tell me about an outage"
    );
    assert_eq!(
        interview["fields"]["interviewer_ids"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let shown = o.run(&["show", &short(&i)]);
    assert!(
        shown.contains("interviewer") && shown.contains("Dana Lee (Acme)"),
        "{shown}"
    );
    assert!(shown.contains("- Design a rate limiter"), "{shown}");

    let due = o.json(&["reminders", "--all"]);
    assert!(
        has(&due, "follow_up", &b),
        "a week after applying, a follow-up: {due:#}"
    );
    assert!(
        !has(&due, "follow_up", &a),
        "no follow-up once it's past the applied stage"
    );
    assert!(has(&due, "debrief", &i), "{due:#}");
    assert!(has(&due, "thank_you", &i), "{due:#}");

    // The no, with its next steps.
    let logged = o.json_with_stdin(
        &[
            "rejection",
            "add",
            "--application",
            &short(&a),
            "--reason",
            "internal_candidate",
            "--factor",
            "internal-hire",
            "--text",
            "-",
        ],
        "We went with an internal candidate this time.\n",
    );
    let r = logged["id"].clone();
    assert_eq!(logged["rejection"]["stage_reached"], "interviewing");
    assert_eq!(
        logged["rejection"]["message_text"],
        "We went with an internal candidate this time."
    );
    let steps = &logged["next_steps"];
    let thank_you = steps["thank_you_draft"].as_str().unwrap();
    assert!(thank_you.starts_with("Hi Dana,"), "{thank_you}");
    assert!(
        thank_you.contains("the Data Engineer role at Acme"),
        "{thank_you}"
    );
    assert!(steps["feedback_request_draft"]
        .as_str()
        .unwrap()
        .contains("feedback"));
    assert!(!steps["step_back"]["text"].as_str().unwrap().is_empty());
    let commands = &steps["commands"];
    assert_eq!(
        commands["thank_you"].as_str().unwrap(),
        format!(
            "onward message draft --kind thank-you --application {} --contact {}",
            short(&a),
            short(&steps["contact_id"])
        )
    );
    assert_eq!(
        commands["check_in"].as_str().unwrap(),
        format!("onward mood add --rejection {} --valence 3", short(&r))
    );
    assert!(commands["step_back"]
        .as_str()
        .unwrap()
        .starts_with("onward activity add --category "));
    let app = o.json(&["show", &short(&a)]);
    assert_eq!(app["fields"]["outcome"], "rejected");
    assert_eq!(
        app["fields"]["stage"], "interviewing",
        "the furthest stage is kept"
    );

    let due = o.json(&["reminders", "--all"]);
    assert!(has(&due, "check_in", &r), "{due:#}");

    // Asking for feedback; they decline, which is fine.
    let ask = o.json(&[
        "message",
        "draft",
        "--kind",
        "feedback-request",
        "--application",
        &short(&a),
    ]);
    let m = ask["id"].clone();
    assert!(ask["fields"]["body"]
        .as_str()
        .unwrap()
        .starts_with("Hi Dana,"));
    assert_eq!(ask["fields"]["status"], "draft");
    o.json(&["message", "sent", &short(&m)]);
    assert_eq!(
        o.json(&["show", &short(&r)])["fields"]["feedback_status"],
        "requested"
    );
    let declined = o.run(&[
        "message",
        "declined",
        &short(&m),
        "--summary",
        "Company policy",
    ]);
    assert!(declined.contains("common"), "{declined}");
    let rejection = o.json(&["show", &short(&r)]);
    assert_eq!(rejection["fields"]["feedback_status"], "declined");
    assert!(o
        .run(&["show", &short(&r)])
        .contains("feedback status  declined"));
    let list = o.json(&["message", "list"]);
    assert_eq!(list[0]["fields"]["status"], "declined");

    // Writing: a debrief from the flags, a free entry from stdin.
    let debrief = o.json(&[
        "entry",
        "add",
        "--kind",
        "debrief",
        "--interview",
        &short(&i),
        "--answer",
        "wanted_to_see=Calm ownership of incidents",
        "--answer",
        "thank=The whiteboard talk",
    ]);
    assert_eq!(
        debrief["fields"]["answers"]["wanted_to_see"],
        "Calm ownership of incidents"
    );
    assert_eq!(debrief["fields"]["prompt_set"], "debrief@1");
    assert_eq!(
        debrief["fields"]["application_id"], a,
        "an interview's entry belongs to its application"
    );
    let free = o.json_with_stdin(
        &[
            "entry",
            "add",
            "--kind",
            "free",
            "--text",
            "-",
            "--application",
            &short(&a),
        ],
        "Dana's question about backfills stayed with me.\n",
    );
    let e = free["id"].clone();
    let shown = o.run(&["show", &short(&debrief["id"])]);
    assert!(shown.contains("What did the interviewer need to see from a candidate?\n      Calm ownership of incidents"), "{shown}");

    // Looking after oneself.
    let mood = o.json(&[
        "mood",
        "add",
        "--valence",
        "2",
        "--energy",
        "3",
        "--word",
        "tired",
        "--word",
        "hopeful",
        "--rejection",
        &short(&r),
    ]);
    assert_eq!(mood["fields"]["rejection_id"], r);
    assert_eq!(mood["fields"]["application_id"], a);
    let coffee = o.json(&[
        "activity",
        "add",
        "--category",
        "social",
        "--description",
        "Coffee with Sam",
        "--contact",
        "Sam Park",
        "--done",
        "--mood-before",
        "2",
        "--mood-after",
        "4",
    ]);
    assert_eq!(coffee["fields"]["mood_before"], 2);
    assert_eq!(coffee["fields"]["mood_after"], 4);
    assert!(!coffee["fields"]["done_at"].is_null());
    let people = o.json(&["contact", "list"]);
    let names: Vec<&str> = people
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["fields"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Dana Lee", "Sam Park"]);

    // Moving forward, from the rejection.
    let goal = o.json(&[
        "goal",
        "add",
        "--kind",
        "skill",
        "--title",
        "Practise system design",
        "--origin",
        &short(&r),
        "--due",
        "in 30d",
    ]);
    assert_eq!(goal["fields"]["origin_id"], r);
    let goal = o.json(&["goal", "progress", &short(&goal["id"]), "40"]);
    assert_eq!(goal["fields"]["status"], "in_progress");
    let shown = o.json(&["show", &short(&r)]);
    let from: Vec<&str> = shown["links"]["from"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["kind"].as_str().unwrap())
        .collect();
    assert!(
        from.contains(&"goal") && from.contains(&"mood"),
        "{shown:#}"
    );

    // Reminders follow what was done: checked in, debriefed, stepped back.
    let due = o.json(&["reminders", "--all"]);
    assert!(!has(&due, "check_in", &r), "{due:#}");
    assert!(!has(&due, "debrief", &i), "{due:#}");
    assert!(!has(&due, "step_back", &r), "{due:#}");
    assert!(has(&due, "follow_up", &b));
    let done = format!("follow_up:{}", short(&b));
    o.json(&["reminders", "done", &done]);
    assert!(!has(&o.json(&["reminders", "--all"]), "follow_up", &b));
    let thanks = format!("thank_you:{}", short(&i));
    let snoozed = o.run(&["reminders", "snooze", &thanks, "--for", "2d"]);
    assert!(snoozed.starts_with("Snoozed until"), "{snoozed}");
    assert!(!has(&o.json(&["reminders", "--all"]), "thank_you", &i));
    let later = o.json(&["reminders", "--all", "--upcoming", "3"]);
    let back = later
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "thank_you")
        .expect("comes back later");
    assert_eq!(back["snoozed"], true);

    // The timeline and its filters.
    let kinds = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["kind"].as_str().unwrap().to_string())
            .collect()
    };
    let entries = o.json(&["timeline", "--kind", "entry"]);
    assert_eq!(kinds(&entries), ["entry", "entry"]);
    assert_eq!(
        kinds(&o.json(&["timeline", "--kind", "mood", "--kind", "goal"])).len(),
        2
    );
    let tagged = o.json(&["timeline", "--tag", "dream"]);
    assert_eq!(tagged.as_array().unwrap().len(), 1);
    assert_eq!(tagged[0]["id"], a);
    o.json(&["tag", &short(&e), "insight", "backfills"]);
    assert_eq!(o.json(&["timeline", "--tag", "insight"])[0]["id"], e);
    let untagged = o.json(&["tag", &short(&e), "backfills", "--remove"]);
    assert_eq!(untagged["fields"]["tags"], serde_json::json!(["insight"]));
    let globex_only = o.json(&["timeline", "--application", &short(&b)]);
    assert_eq!(globex_only.as_array().unwrap().len(), 1);
    assert_eq!(globex_only[0]["id"], b);
    let acme_only = kinds(&o.json(&["timeline", "--application", &short(&a), "--limit", "50"]));
    for kind in [
        "application",
        "interview",
        "rejection",
        "message",
        "entry",
        "mood",
    ] {
        assert!(
            acme_only.contains(&kind.to_string()),
            "{kind} in {acme_only:?}"
        );
    }
    let page = o.json(&["timeline", "--limit", "3", "--page", "2"]);
    assert_eq!(page.as_array().unwrap().len(), 3);
    assert!(o
        .json(&["timeline", "--since", "tomorrow"])
        .as_array()
        .unwrap()
        .is_empty());

    // Search finds what was written, in entries and in the rejection's message.
    let hits = o.json(&["search", "backfills"]);
    assert_eq!(hits.as_array().unwrap().len(), 1);
    assert_eq!(hits[0]["id"], e);
    assert!(hits[0]["snippet"].as_str().unwrap().contains("[backfills]"));
    let hits = o.json(&["search", "internal", "candidate"]);
    assert!(
        hits.as_array().unwrap().iter().any(|h| h["id"] == r),
        "{hits:#}"
    );

    // Delete hides, restore brings back.
    let gone = o.run(&["delete", &short(&e)]);
    assert!(
        gone.contains(&format!("onward restore {}", short(&e))),
        "{gone}"
    );
    assert_eq!(
        o.json(&["timeline", "--kind", "entry"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(o
        .json(&["search", "backfills"])
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(o.json(&["timeline", "--deleted"])[0]["id"], e);
    o.json(&["restore", &short(&e)]);
    assert_eq!(o.json(&["search", "backfills"])[0]["id"], e);

    // Every command is a new process: the journal holds it all, and its index agrees.
    let doctor = o.json(&["doctor"]);
    assert_eq!(doctor["ok"], true, "{doctor:#}");
    assert_eq!(doctor["index"]["consistent"], true);
    assert_eq!(doctor["integrity"], "ok");
    assert_eq!(doctor["counts"]["application"], 2);
    assert_eq!(doctor["counts"]["entry"], 2);
    assert_eq!(doctor["counts"]["contact"], 2);
    // The writes wait in the outbox until something needs the document; they are
    // saved and shown meanwhile, and doctor says how many.
    assert!(
        doctor["sizes"]["waiting_writes"].as_u64().unwrap() > 0,
        "{doctor:#}"
    );
    let said = o.run(&["doctor"]);
    assert!(said.contains("All is well."), "{said}");
    assert!(said.contains("not yet in the document"), "{said}");
    let rebuilt = o.json(&["doctor", "--rebuild-index"]);
    assert_eq!(rebuilt["index"]["consistent"], true);
    assert_eq!(
        rebuilt["sizes"]["waiting_writes"], 0,
        "a rebuild applies them"
    );
    assert_eq!(
        o.json(&["application", "list", "--outcome", "rejected"])[0]["id"],
        a
    );
    assert_eq!(o.json(&["application", "list", "--active"])[0]["id"], b);

    // The application shows its history and everything linked to it.
    let shown = o.run(&["show", &short(&a)]);
    for expected in [
        "History",
        "screening",
        "interviewing",
        "outcome: rejected",
        "← interview",
        "← rejection",
        "#dream",
    ] {
        assert!(shown.contains(expected), "{expected} in:\n{shown}");
    }
}

#[test]
fn a_rejection_screen_is_warm_and_offers_each_step_with_its_command() {
    let o = Onward::new();
    let app = o.json(&[
        "application",
        "add",
        "--company",
        "Initech",
        "--role",
        "SRE",
        "--applied",
        "yesterday",
    ]);
    o.json(&[
        "interview",
        "add",
        "--application",
        &short(&app["id"]),
        "--kind",
        "final",
        "--at",
        "today",
        "--interviewer",
        "Priya Raman",
    ]);
    let screen = o.run(&[
        "rejection",
        "add",
        "--application",
        &short(&app["id"]),
        "--reason",
        "stronger-candidate",
    ]);
    assert!(!screen.to_lowercase().contains("fail"), "{screen}");
    for expected in [
        "a no from SRE at Initech, after the final stage",
        "You are still qualified",
        "each one optional",
        "onward mood add --rejection",
        "onward activity add --category",
        "Hi Priya,",
        "the SRE role at Initech",
        &format!(
            "onward message draft --kind thank-you --application {}",
            short(&app["id"])
        ),
        &format!(
            "onward message draft --kind feedback-request --application {}",
            short(&app["id"])
        ),
        "onward entry add --kind rejection-reflection --rejection",
    ] {
        assert!(screen.contains(expected), "{expected:?} in:\n{screen}");
    }
    // The offered command saves the same draft.
    let draft = o.json(&[
        "message",
        "draft",
        "--kind",
        "thank-you",
        "--application",
        &short(&app["id"]),
        "--moment",
        "the chat about on-call",
    ]);
    assert!(draft["fields"]["body"]
        .as_str()
        .unwrap()
        .contains("I especially enjoyed the chat about on-call"));
}

#[test]
fn silence_and_a_declined_note_read_as_normal_outcomes() {
    let o = Onward::new();
    let app = o.json(&[
        "application",
        "add",
        "--company",
        "Hooli",
        "--role",
        "PM",
        "--applied",
        "30d ago",
    ]);
    let id = short(&app["id"]);
    let quiet = o.run(&["application", "outcome", &id, "no-response"]);
    assert!(quiet.contains("Silence is common"), "{quiet}");
    let reopened = o.json(&["application", "outcome", &id, "open"]);
    assert_eq!(reopened["fields"]["outcome"], "open");
    let silence = o.run(&[
        "rejection",
        "add",
        "--application",
        &id,
        "--channel",
        "silence",
    ]);
    assert!(silence.contains("no word from PM at Hooli"), "{silence}");
    assert!(!silence.to_lowercase().contains("fail"));
    let note = o.json(&[
        "message",
        "draft",
        "--kind",
        "follow-up",
        "--application",
        &id,
        "--text",
        "Hi, any news?",
    ]);
    let none = o.run(&["message", "no-reply", &short(&note["id"])]);
    assert!(none.contains("says little about you"), "{none}");
}

#[test]
fn merging_a_copy_from_another_device() {
    let laptop = Onward::new();
    let phone = Onward::new();
    laptop.json(&["contact", "add", "--name", "Dana Lee", "--company", "Acme"]);
    let app = phone.json(&[
        "application",
        "add",
        "--company",
        "Globex",
        "--role",
        "SRE",
        "--applied",
    ]);
    phone.json(&["mood", "add", "--valence", "4"]);

    let merged = laptop.json(&["merge", phone.journal.to_str().unwrap()]);
    assert_eq!(merged["changed"], 2);
    assert_eq!(
        laptop.json(&["show", &short(&app["id"])])["fields"]["company"],
        "Globex"
    );
    assert_eq!(laptop.json(&["timeline"]).as_array().unwrap().len(), 3);
    let again = laptop.run(&["merge", phone.journal.to_str().unwrap()]);
    assert!(again.contains("nothing new"), "{again}");
    assert_eq!(laptop.json(&["doctor"])["index"]["consistent"], true);
    assert_eq!(
        phone.json(&["timeline"]).as_array().unwrap().len(),
        2,
        "the other copy is only read"
    );
}

#[test]
fn editing_records_and_the_smaller_commands() {
    let o = Onward::new();
    let app = o.json(&["application", "add", "--company", "Acme", "--role", "Dev"]);
    let a = short(&app["id"]);
    assert_eq!(app["fields"]["stage"], "saved");
    let edited = o.json(&[
        "application",
        "edit",
        &a,
        "--role",
        "Senior Dev",
        "--work-mode",
        "remote",
        "--salary",
        "80-90k",
        "--next-action",
        "2026-12-01",
        "--applied",
        "yesterday",
    ]);
    assert_eq!(edited["fields"]["role"], "Senior Dev");
    assert_eq!(
        edited["fields"]["company"], "Acme",
        "what was not given stays"
    );
    assert_eq!(edited["fields"]["work_mode"], "remote");
    assert_eq!(edited["fields"]["salary"], "80-90k");
    assert!(!edited["fields"]["applied_at"].is_null());
    assert_eq!(
        o.json(&["application", "list", "--stage", "saved"])[0]["id"],
        app["id"]
    );

    let sam = o.json(&[
        "contact",
        "add",
        "--name",
        "Sam Okafor",
        "--company",
        "Acme",
        "--role",
        "hiring-manager",
        "--email",
        "sam@acme.test",
    ]);
    assert_eq!(sam["fields"]["role"], "hiring_manager");
    let interview = o.json(&[
        "interview",
        "add",
        "--application",
        &a,
        "--kind",
        "recruiter-screen",
        "--at",
        "3h ago",
        "--interviewer",
        &short(&sam["id"]),
    ]);
    assert_eq!(
        interview["fields"]["interviewer_ids"][0], sam["id"],
        "a contact's id is taken as that contact"
    );
    assert_eq!(o.json(&["show", &a])["fields"]["stage"], "screening");
    let changed = o.json(&[
        "interview",
        "edit",
        &short(&interview["id"]),
        "--round",
        "2",
        "--rating",
        "5",
        "--question",
        "Why Acme?",
        "--interviewer",
        "Kim Ito",
        "--notes",
        "Friendly",
    ]);
    let fields = &changed["fields"];
    assert_eq!(fields["round"], 2);
    assert_eq!(fields["self_rating"], 5);
    assert_eq!(fields["questions"], serde_json::json!(["Why Acme?"]));
    assert_eq!(fields["interviewer_ids"].as_array().unwrap().len(), 2);
    let people = o.run(&["contact", "list"]);
    assert!(
        people.contains("Kim Ito") && people.contains("interviewer · Acme"),
        "{people}"
    );

    let sam_id = short(&sam["id"]);
    let note = o.json(&[
        "message",
        "draft",
        "--kind",
        "thank-you",
        "--application",
        &a,
        "--contact",
        &sam_id,
    ]);
    assert!(
        note["fields"]["body"]
            .as_str()
            .unwrap()
            .starts_with("Hi Sam,"),
        "{note:#}"
    );
    assert_eq!(note["fields"]["contact_id"], sam["id"]);
    let replied = o.json(&[
        "message",
        "reply",
        &short(&note["id"]),
        "--summary",
        "Thanks, talk soon",
    ]);
    assert_eq!(replied["fields"]["status"], "replied");
    assert_eq!(replied["fields"]["reply_summary"], "Thanks, talk soon");
    let edited = o.json(&[
        "message",
        "edit",
        &short(&note["id"]),
        "--text",
        "Hi Kim, thank you!",
    ]);
    assert_eq!(edited["fields"]["body"], "Hi Kim, thank you!");

    let entry = o.json(&[
        "entry",
        "add",
        "--kind",
        "expressive",
        "--text",
        "A lot today.",
        "--third-person",
        "--at",
        "2026-11-02 21:15",
    ]);
    assert_eq!(entry["fields"]["perspective"], "third");
    let shown = o.run(&["show", &short(&entry["id"])]);
    assert!(
        shown.contains("2026-11-02 21:15"),
        "shown in local time as typed: {shown}"
    );
    let edited = o.json(&[
        "entry",
        "edit",
        &short(&entry["id"]),
        "--answer",
        "friend=Be gentle",
    ]);
    assert_eq!(edited["fields"]["body"], "A lot today.");
    assert_eq!(edited["fields"]["answers"]["friend"], "Be gentle");
    let f = o.fail(&["entry", "edit", &short(&entry["id"]), "--answer", "three=x"]);
    assert!(
        f.stderr.contains("not a prompt of expressive entries"),
        "{}",
        f.stderr
    );

    let goal = o.json(&[
        "goal",
        "add",
        "--kind",
        "course",
        "--title",
        "Finish the SQL course",
    ]);
    let dropped = o.json(&["goal", "status", &short(&goal["id"]), "dropped"]);
    assert_eq!(dropped["fields"]["status"], "dropped");
    let done = o.json(&["goal", "progress", &short(&goal["id"]), "100"]);
    assert_eq!(done["fields"]["status"], "done");

    let due = o.json(&["reminders", "--upcoming", "3660", "--all"]);
    let next = due
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "next_action")
        .expect("the planned next step");
    assert_eq!(next["target_id"], app["id"]);
    assert_eq!(next["command"], format!("onward show {a}"));
}

#[test]
fn a_note_written_differently_on_two_devices_keeps_both_versions() {
    let laptop = Onward::new();
    let phone = Onward::new();
    let entry = laptop.json(&[
        "entry",
        "add",
        "--kind",
        "free",
        "--text",
        "Coffee with Sam",
    ]);
    let id = short(&entry["id"]);
    phone.json(&["merge", laptop.journal.to_str().unwrap()]);
    laptop.json(&[
        "entry",
        "edit",
        &id,
        "--text",
        "Coffee with Sam, felt lighter",
    ]);
    phone.json(&[
        "entry",
        "edit",
        &id,
        "--text",
        "Coffee with Sam at the harbour",
    ]);
    laptop.json(&["merge", phone.journal.to_str().unwrap()]);

    let shown = laptop.run(&["show", &id]);
    assert!(
        shown.contains("Written differently on two devices: body"),
        "{shown}"
    );
    assert!(
        shown.contains("felt lighter") && shown.contains("at the harbour"),
        "{shown}"
    );
    let json = laptop.json(&["show", &id]);
    assert_eq!(json["fields"]["conflicts"][0], "body");
    assert_eq!(
        laptop
            .json(&["search", "harbour"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
