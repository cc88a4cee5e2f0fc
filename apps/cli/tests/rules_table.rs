//! The shared table of rule cases (`tests/cases/rules.json`), read through the real
//! `onward` binary with its clock and zone pinned (`ONWARD_NOW`, `ONWARD_TIME_ZONE`):
//! Today and notifications; and the rules the CLI takes straight from the core (stages
//! after a stage, titles, labels). Python and Kotlin read the same table.

mod support;

use onward_core::model::{application, ActivityCategory, Kind, Outcome, Reason, Stage};
use onward_core::vocabulary::Label;
use serde_json::Value;
use support::{parse_json, succeeded, Onward};

fn table() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/cases/rules.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn text(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v}"))
}

/// Runs `onward --json ARGS` at the case's instant and zone.
fn at(o: &Onward, case: &Value, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = o
        .command(&all)
        .env("ONWARD_NOW", text(&case["now"]))
        .env("ONWARD_TIME_ZONE", text(&case["zone"]))
        .output()
        .unwrap();
    parse_json(&all, &succeeded(&all, out))
}

/// The application indices of follow-up reminders or notices, each checked to be one.
fn indices(rows: &Value, ids: &[String], id_of: impl Fn(&Value) -> String) -> Vec<usize> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|row| {
            assert_eq!(row["rule"], "follow_up", "{row}");
            let id = id_of(row);
            ids.iter().position(|known| *known == id).unwrap()
        })
        .collect()
}

fn expected(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_u64().unwrap() as usize)
        .collect()
}

#[test]
fn today_and_notifications_answer_as_the_table_says() {
    for case in table()["cases"].as_array().unwrap() {
        let name = text(&case["name"]);
        let o = Onward::new();
        let ids: Vec<String> = case["applications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let app = at(
                    &o,
                    case,
                    &[
                        "application",
                        "add",
                        "--company",
                        text(&a["company"]),
                        "--role",
                        text(&a["role"]),
                        "--applied",
                        text(&a["applied_at"]),
                    ],
                );
                text(&app["id"]).to_string()
            })
            .collect();

        let today = at(&o, case, &["today"]);
        let want = &case["today"];
        assert_eq!(today["greeting"], want["greeting"], "{name}");
        let shown = indices(&today["reminders"], &ids, |r| {
            text(&r["target_id"]).to_string()
        });
        assert_eq!(shown, expected(&want["reminders"]), "{name}");
        assert_eq!(today["more_reminders"], want["more"], "{name}");

        let posted: Vec<String> = case["posted"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let app = &ids[p["application"].as_u64().unwrap() as usize];
                format!("follow_up:{app}@{}", text(&p["at"]))
            })
            .collect();
        let mut args = vec!["reminders", "notify"];
        for p in &posted {
            args.extend(["--posted", p]);
        }
        let notify = at(&o, case, &args);
        let want = &case["notify"];
        let notices = indices(&notify["notices"], &ids, |n| {
            text(&n["key"]).trim_start_matches("follow_up:").to_string()
        });
        assert_eq!(notices, expected(&want["notices"]), "{name}");
        if let Some(next) = want["next_check"].as_str() {
            let got: chrono::DateTime<chrono::Utc> = text(&notify["next_check"]).parse().unwrap();
            assert_eq!(
                got,
                next.parse::<chrono::DateTime<chrono::Utc>>().unwrap(),
                "{name}"
            );
        }
    }
}

#[test]
fn stages_titles_and_labels_answer_as_the_table_says() {
    let table = table();
    for row in table["stages_after"].as_array().unwrap() {
        let stage: Stage = text(&row["stage"]).parse().unwrap();
        let outcome: Outcome = text(&row["outcome"]).parse().unwrap();
        let next: Vec<&str> = application::stages_after(stage, outcome)
            .iter()
            .map(|s| s.as_str())
            .collect();
        let want: Vec<&str> = row["next"].as_array().unwrap().iter().map(text).collect();
        assert_eq!(next, want, "{row}");
    }
    for row in table["titles"].as_array().unwrap() {
        let o = Onward::new();
        let app = o.json(&[
            "application",
            "add",
            "--company",
            text(&row["company"]),
            "--role",
            text(&row["role"]),
        ]);
        let listed = o.run(&["application", "list"]);
        assert!(listed.contains(text(&row["title"])), "{row}: {listed}");
        assert_eq!(
            application::title(text(&row["role"]), text(&row["company"])),
            text(&row["title"]),
            "{app}"
        );
    }
    for row in table["labels"].as_array().unwrap() {
        let value = text(&row["value"]);
        let label = match text(&row["vocabulary"]) {
            "stage" => value.parse::<Stage>().unwrap().label(),
            "outcome" => value.parse::<Outcome>().unwrap().label(),
            "record_kind" => value.parse::<Kind>().unwrap().label(),
            "reason" => value.parse::<Reason>().unwrap().label(),
            "activity_category" => value.parse::<ActivityCategory>().unwrap().label(),
            other => panic!("no reader for the vocabulary {other}"),
        };
        assert_eq!(label, text(&row["label"]), "{row}");
    }
}
