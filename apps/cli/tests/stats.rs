//! `onward stats`: the big picture, as printed and as JSON.

mod support;

use support::Onward;

fn add_app(o: &Onward, company: &str, applied: &str) -> String {
    let app = o.json(&[
        "application",
        "add",
        "--company",
        company,
        "--role",
        "Data Engineer",
        "--applied",
        applied,
    ]);
    app["id"].as_str().unwrap().to_string()
}

/// Six applications sent 20 days ago: three answered (after 2, 4 and 6 days), one
/// ended in silence, two are still open. A coffee that helped, and three days in a row
/// with a check-in.
fn three_weeks_of_searching() -> Onward {
    let o = Onward::new();
    let ids: Vec<String> = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay"]
        .iter()
        .map(|c| add_app(&o, c, "20 days ago"))
        .collect();
    o.run(&[
        "application",
        "stage",
        &ids[0],
        "screening",
        "--at",
        "16 days ago",
    ]);
    o.run(&[
        "rejection",
        "add",
        "--application",
        &ids[1],
        "--reason",
        "role-closed",
        "--at",
        "14 days ago",
    ]);
    o.run(&[
        "interview",
        "add",
        "--application",
        &ids[2],
        "--kind",
        "technical",
        "--at",
        "18 days ago",
    ]);
    o.run(&["application", "outcome", &ids[3], "no-response"]);
    o.run(&[
        "activity",
        "add",
        "--category",
        "social",
        "--description",
        "coffee with Sam",
        "--done",
        "--mood-before",
        "2",
        "--mood-after",
        "4",
    ]);
    for (valence, at) in [("2", "2 days ago"), ("3", "1 day ago"), ("4", "now")] {
        o.run(&[
            "mood",
            "add",
            "--valence",
            valence,
            "--energy",
            "3",
            "--at",
            at,
        ]);
    }
    o
}

#[test]
fn stats_show_effort_the_funnel_answers_and_mood() {
    let o = three_weeks_of_searching();
    let text = o.run(&["stats", "--weeks", "4"]);
    assert!(
        text.contains("The big picture · the last 4 weeks"),
        "{text}"
    );
    assert!(text.contains("3 in a row up to now"), "{text}");
    assert!(text.contains("This week:"), "{text}");
    assert!(
        text.contains("applied       ████████████████████ 6"),
        "{text}"
    );
    assert!(
        text.contains("screening     ███████              2   33% of applied"),
        "{text}"
    );
    assert!(
        text.contains("interviewing  ███                  1   (not enough yet for a rate)"),
        "{text}"
    );
    assert!(text.contains("3 of 6 heard back (50%)"), "{text}");
    assert!(
        text.contains("a first answer after 4 days (median)"),
        "{text}"
    );
    assert!(text.contains("1 ended in silence"), "{text}");
    assert!(text.contains("Reasons given: role closed 1"), "{text}");
    assert!(text.contains("social    2.0 → 4.0  (1 time)"), "{text}");
    let sparkline = text
        .lines()
        .find(|l| l.trim_start().starts_with("per week"))
        .unwrap();
    assert!(sparkline.chars().any(|c| "▁▂▃▄▅▆▇█".contains(c)), "{text}");
    let lower = text.to_lowercase();
    for unkind in ["fail", "broke", "missed", "only "] {
        assert!(!lower.contains(unkind), "{unkind}: {text}");
    }
}

#[test]
fn stats_as_json_give_the_numbers() {
    let o = three_weeks_of_searching();
    let stats = o.json(&["stats", "--weeks", "3"]);
    let r = &stats["responses"];
    assert_eq!(r["applied"], 6);
    assert_eq!(r["responded"], 3);
    assert_eq!(r["rate"], 0.5);
    assert_eq!(r["silent"], 1);
    let median = r["median_days_to_first_response"].as_f64().unwrap();
    assert!((median - 4.0).abs() < 0.01, "{median}");
    assert_eq!(stats["funnel"]["stages"][1]["stage"], "screening");
    assert_eq!(stats["funnel"]["stages"][1]["reached"], 2);
    assert!(stats["funnel"]["stages"][1]["conversion"].is_null());
    assert_eq!(stats["effort"]["weeks"].as_array().unwrap().len(), 3);
    assert_eq!(stats["effort"]["streak"]["current_days"], 3);
    assert_eq!(stats["mood"]["rest"][0]["category"], "social");
    assert_eq!(stats["mood"]["rest"][0]["mood_after"], 4.0);
    let this_week = stats["effort"]["weeks"][2]["restorative"].as_i64().unwrap();
    assert_eq!(this_week, 1, "the coffee today");
}

#[test]
fn an_empty_journal_says_what_will_appear() {
    let o = Onward::new();
    let text = o.run(&["stats"]);
    assert!(text.contains("Nothing logged yet"), "{text}");
    assert!(text.contains("weekly effort"), "{text}");
    assert_eq!(o.json(&["stats"])["total_records"], 0);
}

#[test]
fn weeks_must_be_a_sensible_number() {
    let o = Onward::new();
    let failed = o.fail(&["stats", "--weeks", "0"]);
    assert!(failed.stderr.contains("--weeks"), "{}", failed.stderr);
}
