//! The big picture: effort per week, how far applications went, the answers, mood over
//! time and before/after stepping back, as charts with their tables, from the core's
//! `Journal::insights` over the weeks the person chooses.

use crate::chart::{self, Layout, Series};
use crate::html::{escape, page, Screen};
use crate::screens::period::long_day;
use crate::state::{Desk, Trouble};
use axum::extract::{Query, State};
use axum::response::Html;
use onward_core::insights::{Insights, InsightsOptions, WeekEffort};
use onward_core::limits::INSIGHT_WEEKS;
use onward_core::model::ActivityCategory;
use onward_core::vocabulary::Label;
use onward_core::words::plural;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Chosen {
    weeks: Option<u32>,
}

pub async fn show(
    State(desk): State<Desk>,
    Query(chosen): Query<Chosen>,
) -> Result<Html<String>, Trouble> {
    let options = InsightsOptions {
        weeks: chosen.weeks.unwrap_or(InsightsOptions::default().weeks),
        ..Default::default()
    };
    let insights = desk.with_journal(move |j| j.insights(&options)).await?;
    let chooser = format!(
        "<form method=\"get\" action=\"/picture\" class=\"inline\">\
         <label for=\"weeks\">Weeks to look back over</label>\
         <input id=\"weeks\" name=\"weeks\" type=\"number\" min=\"{}\" max=\"{}\" value=\"{}\">\
         <button>Show</button></form>",
        INSIGHT_WEEKS.min, INSIGHT_WEEKS.max, options.weeks
    );
    let body = if insights.is_empty() {
        "<p>Nothing logged yet, so there's no picture to draw. Once you log an application, \
         a mood or any small step, your weekly effort, how far applications go and how \
         you've been feeling will show here.</p>"
            .to_string()
    } else {
        [
            effort(&insights),
            funnel(&insights),
            answers(&insights),
            mood(&insights),
            rest(&insights),
        ]
        .concat()
    };
    let body = format!(
        "<h1>The big picture</h1>\
         <p class=\"pulse\">The last {} up to {}. Every small step counts, not only applications.</p>\
         {chooser}{body}",
        plural(options.weeks, "week"),
        long_day(insights.today)
    );
    Ok(page(Screen::Picture, "The big picture", true, &body))
}

/// How many steps of one kind a week holds.
pub type StepCount = fn(&WeekEffort) -> i64;

/// The kinds of step in a week, in the order they are stacked (and tabled, here and
/// in the coach summary).
pub const STEPS: [(&str, StepCount); 7] = [
    ("Applications", |w| w.applications),
    ("Interviews", |w| w.interviews),
    ("Notes sent", |w| w.notes_sent),
    ("Feedback asked", |w| w.feedback_asked),
    ("Writing", |w| w.reflections),
    ("Stepping back", |w| w.restorative),
    ("Growth", |w| w.growth),
];

/// "W48" from "2026-W48": short enough for under a column.
fn short_week(week: &str) -> String {
    week.rsplit('-').next().unwrap_or(week).to_string()
}

fn effort(i: &Insights) -> String {
    let weeks = &i.effort.weeks;
    let names: Vec<String> = weeks.iter().map(|w| short_week(&w.week)).collect();
    let series: Vec<Series> = STEPS
        .iter()
        .map(|(name, of)| Series {
            name,
            values: weeks.iter().map(|w| Some(of(w) as f64)).collect(),
        })
        .collect();
    let mut head = vec!["Week"];
    head.extend(STEPS.iter().map(|(name, _)| *name));
    head.push("All steps");
    let rows: Vec<Vec<String>> = weeks
        .iter()
        .map(|w| {
            let mut row = vec![format!("{} (from {})", w.week, w.starts)];
            row.extend(STEPS.iter().map(|(_, of)| of(w).to_string()));
            row.push(w.total.to_string());
            row
        })
        .collect();
    let streak = &i.effort.streak;
    let said = format!(
        "<p>{} with at least one small step.</p>",
        plural(streak.days_with_steps, "day")
    );
    chart::figure(
        "effort",
        "Small steps per week",
        &chart::columns("effort", &names, &series, Layout::Stacked),
        &(chart::legend(&series) + &said),
        &chart::table("effort", "Small steps per week, by kind", &head, &rows),
    )
}

/// A share as people read it: "40%".
fn percent(rate: f64) -> String {
    format!("{:.0}%", rate * 100.0)
}

fn funnel(i: &Insights) -> String {
    let f = &i.funnel;
    let first = f.stages.first().map_or(0, |s| s.reached);
    // A stage's conversion is the share of it that went on to the next one.
    let went_on = |n: usize| -> String {
        match f.stages.get(n).and_then(|s| s.conversion) {
            Some(rate) => format!("{} went on", percent(rate)),
            None if f.stages.get(n).is_some_and(|s| s.next.is_some()) => {
                "not enough yet for a rate".to_string()
            }
            None => String::new(),
        }
    };
    let bars: Vec<(String, f64, String)> = f
        .stages
        .iter()
        .map(|s| {
            (
                s.stage.label().to_string(),
                s.reached as f64,
                s.reached.to_string(),
            )
        })
        .collect();
    let rows: Vec<Vec<String>> = f
        .stages
        .iter()
        .enumerate()
        .map(|(n, s)| {
            vec![
                s.stage.label().to_string(),
                s.reached.to_string(),
                went_on(n),
            ]
        })
        .collect();
    let note = format!(
        "<p>Rates appear once a stage has {} applications.</p>",
        f.min_for_rate
    );
    chart::figure(
        "funnel",
        "How far applications went",
        &chart::bars("funnel", &bars, first as f64),
        &note,
        &chart::table(
            "funnel",
            "Applications that reached each stage",
            &["Stage", "Reached", "On to the next stage"],
            &rows,
        ),
    )
}

fn answers(i: &Insights) -> String {
    let r = &i.responses;
    let mut heard = r.responded.to_string();
    if let Some(rate) = r.rate {
        heard = format!("{heard} ({})", percent(rate));
    }
    let bars = vec![
        ("Sent".to_string(), r.applied as f64, r.applied.to_string()),
        ("Heard back".to_string(), r.responded as f64, heard.clone()),
        (
            "Ended in silence".to_string(),
            r.silent as f64,
            r.silent.to_string(),
        ),
    ];
    let wait = match r.median_days_to_first_response {
        Some(days) => format!(
            "A first answer came after {:.1} days (the median of {}).",
            days,
            plural(r.timed_responses, "answer")
        ),
        None => "No answer with a date yet, so no time to answer.".to_string(),
    };
    let rows = vec![
        vec!["Applications sent".to_string(), r.applied.to_string()],
        vec!["Heard back".to_string(), heard],
        vec!["Ended in silence".to_string(), r.silent.to_string()],
        vec![
            "Days to a first answer (median)".to_string(),
            r.median_days_to_first_response
                .map(|d| format!("{d:.1}"))
                .unwrap_or_else(|| "none yet".to_string()),
        ],
    ];
    chart::figure(
        "answers",
        "Answers and time to answer",
        &chart::bars("answers", &bars, r.applied as f64),
        &format!(
            "<p>{}</p><p>Silence is common, and says nothing about you.</p>",
            escape(&wait)
        ),
        &chart::table(
            "answers",
            "Answers to applications",
            &["What", "How many"],
            &rows,
        ),
    )
}

/// An average on the 1-to-5 scale, or a dash for a week without one.
fn average(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}"))
        .unwrap_or_else(|| "–".to_string())
}

fn mood(i: &Insights) -> String {
    let weeks = &i.mood.weeks;
    let names: Vec<String> = weeks.iter().map(|w| short_week(&w.week)).collect();
    let series = [
        Series {
            name: "Feeling",
            values: weeks.iter().map(|w| w.valence).collect(),
        },
        Series {
            name: "Energy",
            values: weeks.iter().map(|w| w.energy).collect(),
        },
    ];
    let rows: Vec<Vec<String>> = weeks
        .iter()
        .map(|w| {
            vec![
                format!("{} (from {})", w.week, w.starts),
                w.check_ins.to_string(),
                average(w.valence),
                average(w.energy),
            ]
        })
        .collect();
    chart::figure(
        "mood",
        "Mood over time",
        &chart::lines("mood", &names, &series, 1.0, 5.0),
        &(chart::legend(&series)
            + "<p>Weekly averages, from 1 (heavy) to 5 (bright). A gap is a week without a check-in.</p>"),
        &chart::table(
            "mood",
            "Check-ins per week",
            &["Week", "Check-ins", "Feeling", "Energy"],
            &rows,
        ),
    )
}

fn rest(i: &Insights) -> String {
    let rest = &i.mood.rest;
    if rest.is_empty() {
        return "<section class=\"chart\" aria-labelledby=\"rest\"><h2 id=\"rest\">Before and after stepping back</h2>\
                <p>When you log a break with how you felt before and after, you'll see here what helps.</p></section>"
            .to_string();
    }
    let category = |c: &str| {
        c.parse::<ActivityCategory>()
            .map(|c| c.label().to_string())
            .unwrap_or_else(|_| c.to_string())
    };
    let names: Vec<String> = rest.iter().map(|r| category(&r.category)).collect();
    let series = [
        Series {
            name: "Before",
            values: rest.iter().map(|r| Some(r.mood_before)).collect(),
        },
        Series {
            name: "After",
            values: rest.iter().map(|r| Some(r.mood_after)).collect(),
        },
    ];
    let rows: Vec<Vec<String>> = rest
        .iter()
        .zip(&names)
        .map(|(r, name)| {
            vec![
                name.clone(),
                r.count.to_string(),
                format!("{:.1}", r.mood_before),
                format!("{:.1}", r.mood_after),
            ]
        })
        .collect();
    chart::figure(
        "rest",
        "Before and after stepping back",
        &chart::columns("rest", &names, &series, Layout::Grouped),
        &(chart::legend(&series) + "<p>Average mood, from 1 (heavy) to 5 (bright).</p>"),
        &chart::table(
            "rest",
            "Mood before and after a break, by kind",
            &["Kind of break", "Times", "Before", "After"],
            &rows,
        ),
    )
}
