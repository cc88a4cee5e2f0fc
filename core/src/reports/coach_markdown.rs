//! The coach summary as Markdown: readable as it is, printable, and pasted into an
//! email without losing its shape.

use super::coach::{CoachSummary, Count};
use crate::words::plural;
use std::fmt::Write;

impl CoachSummary {
    pub fn to_markdown(&self) -> String {
        let mut md = String::new();
        let (from, to) = (self.period.from, self.period.to);
        // Writing into a String cannot fail.
        let _ = writeln!(md, "# My job search, {from} to {to}\n");
        let _ = writeln!(md, "Dates are local to {}.\n", self.time_zone);

        md.push_str("## Effort\n\n");
        md.push_str("Whole weeks, Monday to Sunday, for every week the period touches.\n\n");
        md.push_str("| Week | Applications | Interviews | Notes sent | Feedback asked | Writing | Stepping back | Growth | All steps |\n");
        md.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for w in &self.effort {
            let _ = writeln!(
                md,
                "| {} (from {}) | {} | {} | {} | {} | {} | {} | {} | {} |",
                w.week,
                w.starts,
                w.applications,
                w.interviews,
                w.notes_sent,
                w.feedback_asked,
                w.reflections,
                w.restorative,
                w.growth,
                w.total
            );
        }

        md.push_str("\n## Pipeline\n\n");
        let p = &self.pipeline;
        let _ = writeln!(
            md,
            "{} in this period.\n",
            plural(p.applied_in_period, "application")
        );
        counts(&mut md, "Open, by stage", &p.open_by_stage);
        counts(&mut md, "Ended", &p.ended);

        md.push_str("## What is next\n\n");
        if self.next.is_empty() {
            md.push_str("Nothing planned in the next two weeks.\n\n");
        }
        for n in &self.next {
            let _ = writeln!(md, "- {}: {}", n.due, one_line(&n.what));
        }
        if !self.next.is_empty() {
            md.push('\n');
        }

        md.push_str("## Goals\n\n");
        if self.goals.is_empty() {
            md.push_str("No goals set yet.\n\n");
        }
        for g in &self.goals {
            let _ = writeln!(
                md,
                "- {} ({}): {}, {}%",
                one_line(&g.title),
                g.kind,
                g.status,
                g.progress
            );
        }
        if !self.goals.is_empty() {
            md.push('\n');
        }

        if let Some(private) = &self.private {
            md.push_str("## From my journal\n\n");
            if private.entries.is_empty() && private.check_ins.is_empty() {
                md.push_str("Nothing written in this period.\n\n");
            }
            for (day, kind, text) in &private.entries {
                let _ = writeln!(md, "### {day}: {kind}\n\n{}\n", text.trim());
            }
            if !private.check_ins.is_empty() {
                md.push_str("### Check-ins\n\n");
                for (day, face, said) in &private.check_ins {
                    let words = if said.is_empty() {
                        String::new()
                    } else {
                        format!(" · {}", one_line(said))
                    };
                    let _ = writeln!(md, "- {day}: {face}{words}");
                }
                md.push('\n');
            }
        }
        md
    }
}

fn counts(md: &mut String, title: &str, counts: &[Count]) {
    if counts.is_empty() {
        return;
    }
    let _ = writeln!(md, "{title}:\n");
    for c in counts {
        let _ = writeln!(md, "- {}: {}", c.label, c.count);
    }
    md.push('\n');
}

/// A text on one line, so a list item stays one item.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
