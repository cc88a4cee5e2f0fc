//! `onward stats`: the big picture. Effort first (every small step counts), then how
//! far applications went, who answered, mood, and what happened on this day before.
//! Rates wait until there is enough to say something; counts are always shown.

use crate::error::Result;
use crate::output::{plural, words, Printed};
use onward_core::insights::{Insights, InsightsOptions, WeekEffort};
use onward_core::Journal;
use std::fmt::Write as _;

/// How wide the longest bar is, in characters.
const BAR_WIDTH: usize = 20;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// How many weeks (this one included) the weekly figures cover
    #[arg(long, value_name = "N", default_value_t = 8,
          value_parser = crate::limits::insight_weeks())]
    weeks: u32,
}

pub fn run(args: Args, journal: &mut Journal) -> Result<Printed> {
    let options = InsightsOptions {
        weeks: args.weeks,
        ..Default::default()
    };
    let insights = journal.insights(&options)?;
    let json = serde_json::to_value(&insights).expect("insights serialise");
    if insights.is_empty() {
        return Ok(Printed::new(
            json,
            "Nothing logged yet, so there's no picture to draw.\n\
             Once you log an application, a mood or any small step, this is where your \
             weekly effort, how far applications go and how you've been feeling will show.\n\
             \n  onward application add --company Acme --role \"Data Engineer\" --applied today\
             \n  onward mood add --valence 3",
        ));
    }
    Ok(Printed::new(json, human(&insights, args.weeks)))
}

fn human(i: &Insights, weeks: u32) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "The big picture · the last {} up to {}",
        plural(weeks as i64, "week"),
        i.today
    );
    effort(&mut out, i);
    funnel(&mut out, i);
    responses(&mut out, i);
    mood(&mut out, i);
    on_this_day(&mut out, i);
    out
}

fn effort(out: &mut String, i: &Insights) {
    let e = &i.effort;
    let s = &e.streak;
    let _ = writeln!(out, "\nSmall steps");
    let _ = write!(
        out,
        "  {} with at least one small step",
        plural(s.days_with_steps, "day")
    );
    if s.current_days > 1 {
        let _ = write!(out, " · {} in a row up to now", s.current_days);
    }
    out.push('\n');
    let totals: Vec<f64> = e.weeks.iter().map(|w| w.total as f64).collect();
    let _ = writeln!(
        out,
        "  per week  {}  ({} … {})",
        sparkline(&totals),
        short_week(&e.weeks[0].week),
        short_week(&e.weeks[e.weeks.len() - 1].week)
    );
    let max = e.weeks.iter().map(|w| w.total).max().unwrap_or(0);
    for w in &e.weeks {
        let _ = writeln!(
            out,
            "  {}  {:<width$} {}",
            short_week(&w.week),
            bar(w.total, max),
            w.total,
            width = BAR_WIDTH
        );
    }
    if let Some(this_week) = e.weeks.last() {
        let parts = week_parts(this_week);
        if parts.is_empty() {
            let _ = writeln!(out, "  This week is just starting: any small step counts.");
        } else {
            let _ = writeln!(out, "  This week: {}", parts.join(" · "));
        }
    }
}

fn week_parts(w: &WeekEffort) -> Vec<String> {
    [
        (w.applications, "application", "applications"),
        (w.interviews, "conversation", "conversations"),
        (w.notes_sent, "note sent", "notes sent"),
        (w.feedback_asked, "feedback request", "feedback requests"),
        (w.reflections, "reflection", "reflections"),
        (w.restorative, "restorative break", "restorative breaks"),
        (w.growth, "growth step", "growth steps"),
    ]
    .iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| format!("{n} {}", if *n == 1 { one } else { many }))
    .collect()
}

fn funnel(out: &mut String, i: &Insights) {
    let f = &i.funnel;
    let first = f.stages.first().map_or(0, |s| s.reached);
    if first == 0 {
        return;
    }
    let _ = writeln!(out, "\nHow far applications went");
    for (n, stage) in f.stages.iter().enumerate() {
        let mut line = format!(
            "  {:<13} {:<width$} {}",
            words(stage.stage.as_str()),
            bar(stage.reached, first),
            stage.reached,
            width = BAR_WIDTH
        );
        if n > 0 {
            let before = &f.stages[n - 1];
            match before.conversion {
                Some(rate) => {
                    let _ = write!(
                        line,
                        "   {} of {}",
                        percent(rate),
                        words(before.stage.as_str())
                    );
                }
                None => {
                    let _ = write!(line, "   (not enough yet for a rate)");
                }
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    if f.stages.iter().any(|s| s.next.is_some() && !s.enough_data) {
        let _ = writeln!(
            out,
            "  Rates appear once a stage has {} applications.",
            f.min_for_rate
        );
    }
}

fn responses(out: &mut String, i: &Insights) {
    let r = &i.responses;
    if r.applied == 0 {
        return;
    }
    let _ = writeln!(out, "\nAnswers");
    let mut line = format!("  {} of {} heard back", r.responded, r.applied);
    if let Some(rate) = r.rate {
        let _ = write!(line, " ({})", percent(rate));
    }
    if let Some(days) = r.median_days_to_first_response {
        let _ = write!(line, " · a first answer after {} (median)", days_text(days));
    }
    let _ = writeln!(out, "{line}");
    if r.silent > 0 {
        let _ = writeln!(
            out,
            "  {} ended in silence. That is common, and says nothing about you.",
            r.silent
        );
    }
    if !r.rejections_by_stage.is_empty() {
        let list = |c: &[onward_core::insights::Counted]| {
            c.iter()
                .map(|c| format!("{} {}", words(&c.key), c.count))
                .collect::<Vec<_>>()
                .join(" · ")
        };
        let _ = writeln!(
            out,
            "  Rejections by stage reached: {}",
            list(&r.rejections_by_stage)
        );
        let _ = writeln!(out, "  Reasons given: {}", list(&r.rejections_by_reason));
    }
}

fn mood(out: &mut String, i: &Insights) {
    let m = &i.mood;
    let any_week = m.weeks.iter().any(|w| w.check_ins > 0);
    if !any_week && m.rest.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nMood");
    if any_week {
        let scaled = |v: Option<f64>| v.map(|v| (v - 1.0) / 4.0);
        let valence: Vec<Option<f64>> = m.weeks.iter().map(|w| scaled(w.valence)).collect();
        let energy: Vec<Option<f64>> = m.weeks.iter().map(|w| scaled(w.energy)).collect();
        let latest = m.weeks.iter().rev().find_map(|w| w.valence);
        let _ = write!(out, "  feeling  {}", scale_line(&valence));
        if let Some(v) = latest {
            let _ = write!(out, "  latest week {v:.1}/5");
        }
        out.push('\n');
        if energy.iter().any(Option::is_some) {
            let _ = writeln!(out, "  energy   {}", scale_line(&energy));
        }
    }
    if !m.rest.is_empty() {
        let _ = writeln!(out, "  Before and after stepping back:");
        for r in &m.rest {
            let _ = writeln!(
                out,
                "    {:<9} {:.1} → {:.1}  ({})",
                words(&r.category),
                r.mood_before,
                r.mood_after,
                plural(r.count, "time")
            );
        }
    }
}

fn on_this_day(out: &mut String, i: &Insights) {
    if i.on_this_day.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nOn this day");
    for r in &i.on_this_day {
        let _ = writeln!(
            out,
            "  {:<13} {}  {:<11} {}",
            r.ago,
            onward_core::short(&r.id),
            r.kind,
            r.title
        );
    }
}

/// A horizontal bar of `n` against `max`, at least one block when `n` is not zero.
fn bar(n: i64, max: i64) -> String {
    if n <= 0 || max <= 0 {
        return String::new();
    }
    let len = ((n as f64 / max as f64) * BAR_WIDTH as f64)
        .round()
        .max(1.0) as usize;
    "█".repeat(len.min(BAR_WIDTH))
}

const TICKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A sparkline of counts, scaled to the largest.
fn sparkline(values: &[f64]) -> String {
    let max = values.iter().cloned().fold(0.0, f64::max);
    values
        .iter()
        .map(|&v| {
            if max <= 0.0 {
                TICKS[0]
            } else {
                TICKS[((v / max) * 7.0).round() as usize]
            }
        })
        .collect()
}

/// A sparkline of shares (0.0 to 1.0); a week without a value is a blank.
fn scale_line(values: &[Option<f64>]) -> String {
    values
        .iter()
        .map(|v| match v {
            Some(v) => TICKS[(v.clamp(0.0, 1.0) * 7.0).round() as usize],
            None => ' ',
        })
        .collect()
}

/// "W48" from "2026-W48".
fn short_week(week: &str) -> &str {
    week.rsplit('-').next().unwrap_or(week)
}

fn percent(rate: f64) -> String {
    format!("{:.0}%", rate * 100.0)
}

fn days_text(days: f64) -> String {
    if (days - days.round()).abs() < 0.05 {
        plural(days.round() as i64, "day")
    } else {
        format!("{days:.1} days")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_and_bars_scale_to_the_largest() {
        assert_eq!(sparkline(&[0.0, 2.0, 4.0]), "▁▅█");
        assert_eq!(sparkline(&[0.0, 0.0]), "▁▁");
        assert_eq!(scale_line(&[Some(0.0), None, Some(1.0)]), "▁ █");
        assert_eq!(bar(0, 5), "");
        assert_eq!(bar(1, 100).chars().count(), 1);
        assert_eq!(bar(5, 5).chars().count(), BAR_WIDTH);
    }
}
