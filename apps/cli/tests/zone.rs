//! The person's time zone: `--time-zone`, `ONWARD_TIME_ZONE`, then `TZ`; dates are read
//! and shown in it while the journal keeps UTC instants.

mod support;

use support::Onward;

/// A mood checked in at 21:00 in New York on 2 November 2026 (02:00 UTC on the 3rd).
fn mood_at_nine_in_new_york() -> Onward {
    let o = Onward::new();
    let mood = o.json(&[
        "--time-zone",
        "America/New_York",
        "mood",
        "add",
        "--valence",
        "3",
        "--at",
        "2026-11-02 21:00",
    ]);
    assert_eq!(mood["fields"]["felt_at"], "2026-11-03T02:00:00Z");
    o
}

#[test]
fn the_same_mood_is_on_the_2nd_in_new_york_and_the_3rd_in_tokyo() {
    let o = mood_at_nine_in_new_york();
    let new_york = o.run(&["timeline", "--time-zone", "America/New_York"]);
    assert!(new_york.contains("2026-11-02 21:00"), "{new_york}");
    let tokyo = o.run(&["timeline", "--time-zone", "Asia/Tokyo"]);
    assert!(tokyo.contains("2026-11-03 11:00"), "{tokyo}");
}

#[test]
fn the_zone_comes_from_onward_time_zone_then_tz() {
    let o = mood_at_nine_in_new_york();
    let mut cmd = o.command(&["timeline"]);
    cmd.env("ONWARD_TIME_ZONE", "Asia/Tokyo");
    let tokyo = support::succeeded(&["timeline"], cmd.output().unwrap());
    assert!(tokyo.contains("2026-11-03 11:00"), "{tokyo}");

    let mut cmd = o.command(&["timeline"]);
    cmd.env_remove("ONWARD_TIME_ZONE")
        .env("TZ", "America/New_York");
    let new_york = support::succeeded(&["timeline"], cmd.output().unwrap());
    assert!(new_york.contains("2026-11-02 21:00"), "{new_york}");
}

#[test]
fn an_unknown_time_zone_is_refused_with_names_that_work() {
    let o = Onward::new();
    let failed = o.fail(&["--time-zone", "Mars/Olympus", "timeline"]);
    assert_eq!(failed.code, 1);
    assert!(
        failed.stderr.contains("\"Mars/Olympus\""),
        "{}",
        failed.stderr
    );
    assert!(failed.stderr.contains("Europe/Berlin"), "{}", failed.stderr);
}
