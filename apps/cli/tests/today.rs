//! `onward` on its own: a glance at the day.

mod support;

use support::Onward;

#[test]
fn an_empty_journal_shows_how_to_start() {
    let o = Onward::new();
    let text = o.run(&[]);
    assert!(text.contains("Your journal is empty and ready"), "{text}");
    assert!(text.contains("onward application add --company"), "{text}");
}

#[test]
fn the_day_shows_what_is_due_and_what_happened_lately() {
    let o = Onward::new();
    let app = o.json(&[
        "application",
        "add",
        "--company",
        "Acme",
        "--role",
        "Data Engineer",
        "--applied",
        "9 days ago",
    ]);
    let app_id = app["id"].as_str().unwrap();
    o.json(&[
        "rejection",
        "add",
        "--application",
        app_id,
        "--reason",
        "role-closed",
    ]);

    let text = o.run(&["today"]);
    assert!(text.contains("0 applications in play"), "{text}");
    assert!(
        text.contains("A no after the applied stage · Acme"),
        "{text}"
    );
    assert!(
        text.contains("how are you feeling?"),
        "check-in offered: {text}"
    );
    assert!(!text.to_lowercase().contains("fail"), "{text}");

    let day = o.json(&[]);
    assert_eq!(day["active_applications"], 0);
    assert_eq!(
        day["logged_this_week"], 1,
        "the rejection; the application is older"
    );
    let rules: Vec<&str> = day["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"check_in"), "{rules:?}");
    assert_eq!(day["recent"][0]["kind"], "rejection");
}
