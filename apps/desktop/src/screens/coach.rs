//! The summary of a period for a coach: effort, pipeline, what is next and goals, from
//! the core's `Journal::coach_summary`. The person's own writing is left out unless
//! they tick it in; the page prints cleanly.

use crate::html::{escape, page, Screen};
use crate::screens::period::{self, long_day, Asked};
use crate::screens::picture::STEPS;
use crate::state::{Desk, Trouble};
use axum::extract::{Query, State};
use axum::response::Html;
use onward_core::reports::coach::{CoachOptions, CoachSummary, Count, AHEAD_DAYS};
use onward_core::words::plural;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Chosen {
    #[serde(flatten)]
    period: Asked,
    /// Present (any value) only when the box is ticked, as a form sends it.
    private: Option<String>,
}

pub async fn show(
    State(desk): State<Desk>,
    Query(chosen): Query<Chosen>,
) -> Result<Html<String>, Trouble> {
    let options = CoachOptions {
        include_private: chosen.private.is_some(),
    };
    let summary = desk
        .with_journal(move |j| j.coach_summary(chosen.period.period(j)?, options))
        .await?;
    let ticked = if options.include_private {
        " checked"
    } else {
        ""
    };
    let form = format!(
        "<form method=\"get\" action=\"/reports/coach\" class=\"inline\">{}\
         <span class=\"check\"><input id=\"private\" name=\"private\" type=\"checkbox\" value=\"on\"{ticked}>\
         <label for=\"private\">Include my private journal text</label></span>\
         <button>Show</button></form>",
        period::fields(summary.period)
    );
    let body = format!(
        "<h1>My job search, {} to {}</h1>
<p class=\"pulse\">Dates are local to {}. To keep it as a PDF, use your browser's Print.</p>
{form}{}{}{}{}{}",
        long_day(summary.period.from),
        long_day(summary.period.to),
        escape(&summary.time_zone),
        effort(&summary),
        pipeline(&summary),
        next(&summary),
        goals(&summary),
        private(&summary),
    );
    Ok(page(Screen::Coach, "Coach summary", true, &body))
}

fn effort(s: &CoachSummary) -> String {
    let rows: String = s
        .effort
        .iter()
        .map(|w| {
            let cells: String = STEPS
                .iter()
                .map(|(_, of)| of(w))
                .chain([w.total])
                .map(|n| format!("<td class=\"n\">{n}</td>"))
                .collect();
            format!(
                "<tr><th scope=\"row\">{} · from {}</th>{cells}</tr>",
                escape(&w.week),
                long_day(w.starts)
            )
        })
        .collect();
    let head: String = STEPS
        .iter()
        .map(|(name, _)| *name)
        .chain(["All steps"])
        .map(|h| format!("<th scope=\"col\" class=\"n\">{h}</th>"))
        .collect();
    format!(
        "<section aria-labelledby=\"effort-heading\"><h2 id=\"effort-heading\">Effort</h2>\
         <div class=\"scroll\"><table class=\"report\"><caption>Whole weeks, Monday to Sunday, for every week the period touches</caption>\
         <thead><tr><th scope=\"col\">Week</th>{head}</tr></thead><tbody>{rows}</tbody></table></div></section>"
    )
}

fn counts(title: &str, counts: &[Count]) -> String {
    if counts.is_empty() {
        return String::new();
    }
    let items: String = counts
        .iter()
        .map(|c| format!("<li>{}: {}</li>", escape(&c.label), c.count))
        .collect();
    format!("<h3>{title}</h3><ul>{items}</ul>")
}

fn pipeline(s: &CoachSummary) -> String {
    let p = &s.pipeline;
    format!(
        "<section aria-labelledby=\"pipeline-heading\"><h2 id=\"pipeline-heading\">Pipeline</h2>\
         <p>{} in this period.</p>{}{}</section>",
        plural(p.applied_in_period, "application"),
        counts("Open, by stage", &p.open_by_stage),
        counts("Ended", &p.ended)
    )
}

fn next(s: &CoachSummary) -> String {
    let list = if s.next.is_empty() {
        format!("<p>Nothing planned in the next {AHEAD_DAYS} days.</p>")
    } else {
        let items: String = s
            .next
            .iter()
            .map(|n| format!("<li>{}: {}</li>", long_day(n.due), escape(&n.what)))
            .collect();
        format!("<ul>{items}</ul>")
    };
    format!(
        "<section aria-labelledby=\"next-heading\"><h2 id=\"next-heading\">What is next</h2>{list}</section>"
    )
}

fn goals(s: &CoachSummary) -> String {
    let list = if s.goals.is_empty() {
        "<p>No goals set yet.</p>".to_string()
    } else {
        let items: String = s
            .goals
            .iter()
            .map(|g| {
                format!(
                    "<li>{} ({}): {}, {}%</li>",
                    escape(&g.title),
                    escape(&g.kind),
                    escape(&g.status),
                    g.progress
                )
            })
            .collect();
        format!("<ul>{items}</ul>")
    };
    format!(
        "<section aria-labelledby=\"goals-heading\"><h2 id=\"goals-heading\">Goals</h2>{list}</section>"
    )
}

fn private(s: &CoachSummary) -> String {
    let Some(private) = &s.private else {
        return String::new();
    };
    let entries: String = private
        .entries
        .iter()
        .map(|(day, kind, text)| {
            format!(
                "<li><p><strong>{}</strong> · {}</p><p class=\"words\">{}</p></li>",
                long_day(*day),
                escape(kind),
                escape(text)
            )
        })
        .collect();
    let check_ins: String = private
        .check_ins
        .iter()
        .map(|(day, face, said)| {
            format!(
                "<li><strong>{}</strong> · {} {}</li>",
                long_day(*day),
                escape(face),
                escape(said)
            )
        })
        .collect();
    let nothing = if entries.is_empty() && check_ins.is_empty() {
        "<p>Nothing written in this period.</p>"
    } else {
        ""
    };
    format!(
        "<section aria-labelledby=\"journal-heading\"><h2 id=\"journal-heading\">From my journal</h2>{nothing}\
         <ul class=\"private\">{entries}{check_ins}</ul></section>"
    )
}
