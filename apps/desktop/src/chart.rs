//! Charts drawn as SVG on the server (no script, nothing from elsewhere). Each chart is
//! an image labelled by its heading, followed by the same figures as a table for a
//! screen reader. Colours come from style.css classes, so light and dark both work.

use crate::html::escape;
use std::fmt::Write as _;

const WIDTH: f64 = 640.0;
/// Room on the left for the labels of horizontal bars, and below for column labels.
const LABEL_W: f64 = 150.0;
const LABEL_H: f64 = 22.0;
const ROW_H: f64 = 26.0;
const PLOT_H: f64 = 180.0;
const MAX_BAR: f64 = 48.0;

/// One named series of a chart; `class` picks its colour in style.css (`s0` … `s6`).
pub struct Series<'a> {
    pub name: &'a str,
    pub values: Vec<Option<f64>>,
}

/// How the series of a column chart sit: on top of each other, or side by side.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Stacked,
    Grouped,
}

/// A figure: heading, chart, legend and table, all tied together by `id`.
pub fn figure(id: &str, title: &str, svg: &str, legend: &str, table: &str) -> String {
    format!(
        "<section class=\"chart\" aria-labelledby=\"{id}\"><h2 id=\"{id}\">{title}</h2>\
         {svg}{legend}{table}</section>",
        title = escape(title)
    )
}

/// The SVG element, an image named by the figure's heading and described by its table.
fn svg(id: &str, height: f64, inner: &str) -> String {
    format!(
        "<svg role=\"img\" aria-labelledby=\"{id}\" aria-describedby=\"{id}-table\" \
         viewBox=\"0 0 {WIDTH} {height}\" preserveAspectRatio=\"xMinYMin meet\">{inner}</svg>"
    )
}

/// The series' names with their colour swatches (the table says the same in words).
pub fn legend(series: &[Series]) -> String {
    let items: String = series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            format!(
                "<li><span class=\"swatch s{}\" aria-hidden=\"true\"></span>{}</li>",
                i % 7,
                escape(s.name)
            )
        })
        .collect();
    format!("<ul class=\"legend\" aria-hidden=\"true\">{items}</ul>")
}

/// The figures as a table; `head` names the columns, the first one the rows.
pub fn table(id: &str, caption: &str, head: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!(
        "<table id=\"{id}-table\" class=\"figures\"><caption>{}</caption><thead><tr>",
        escape(caption)
    );
    for (i, h) in head.iter().enumerate() {
        let scope = if i == 0 { "" } else { " class=\"n\"" };
        let _ = write!(out, "<th scope=\"col\"{scope}>{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            if i == 0 {
                let _ = write!(out, "<th scope=\"row\">{}</th>", escape(cell));
            } else {
                let _ = write!(out, "<td class=\"n\">{}</td>", escape(cell));
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// Vertical columns, one group per category (a week), scaled to the tallest.
pub fn columns(id: &str, categories: &[String], series: &[Series], layout: Layout) -> String {
    let n = categories.len().max(1) as f64;
    let slot = (WIDTH - 40.0) / n;
    let total = |c: usize| -> f64 { series.iter().filter_map(|s| s.values[c]).sum() };
    let tallest = (0..categories.len())
        .map(|c| match layout {
            Layout::Stacked => total(c),
            Layout::Grouped => series
                .iter()
                .filter_map(|s| s.values[c])
                .fold(0.0, f64::max),
        })
        .fold(0.0, f64::max)
        .max(1.0);
    let mut inner = axis(tallest);
    for (c, name) in categories.iter().enumerate() {
        let x0 = 40.0 + slot * c as f64;
        // Few categories would make wide slabs: a bar is never wider than MAX_BAR.
        let bar_w = match layout {
            Layout::Stacked => slot * 0.7,
            Layout::Grouped => slot * 0.8 / series.len().max(1) as f64,
        }
        .min(MAX_BAR);
        let group_w = match layout {
            Layout::Stacked => bar_w,
            Layout::Grouped => bar_w * series.len() as f64,
        };
        let left = x0 + (slot - group_w) / 2.0;
        let mut base = PLOT_H;
        for (i, s) in series.iter().enumerate() {
            let Some(v) = s.values[c].filter(|v| *v > 0.0) else {
                continue;
            };
            let h = v / tallest * (PLOT_H - 10.0);
            let (x, y) = match layout {
                Layout::Stacked => {
                    base -= h;
                    (left, base)
                }
                Layout::Grouped => (left + bar_w * i as f64, PLOT_H - h),
            };
            let _ = write!(
                inner,
                "<rect class=\"s{}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar_w:.1}\" height=\"{h:.1}\"/>",
                i % 7
            );
        }
        // Every label would crowd a long range: show about eight.
        let every = categories.len().div_ceil(8).max(1);
        if c % every == 0 {
            let _ = write!(
                inner,
                "<text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x0 + slot / 2.0,
                PLOT_H + 16.0,
                escape(name)
            );
        }
    }
    svg(id, PLOT_H + LABEL_H, &inner)
}

/// Lines over categories on a fixed scale (`low` to `high`); a missing value breaks
/// the line and a lone value is a dot.
pub fn lines(id: &str, categories: &[String], series: &[Series], low: f64, high: f64) -> String {
    let n = categories.len().max(1) as f64;
    let slot = (WIDTH - 40.0) / n;
    let y = |v: f64| PLOT_H - (v - low) / (high - low) * (PLOT_H - 10.0);
    let mut inner = String::new();
    for step in (low as i64)..=(high as i64) {
        let _ = write!(
            inner,
            "<line class=\"grid\" x1=\"36\" x2=\"{WIDTH}\" y1=\"{0:.1}\" y2=\"{0:.1}\"/>\
             <text class=\"tick\" x=\"30\" y=\"{1:.1}\" text-anchor=\"end\">{step}</text>",
            y(step as f64),
            y(step as f64) + 4.0
        );
    }
    for (i, s) in series.iter().enumerate() {
        let mut run: Vec<(f64, f64)> = Vec::new();
        let mut runs = Vec::new();
        for (c, v) in s.values.iter().enumerate() {
            match v {
                Some(v) => run.push((40.0 + slot * (c as f64 + 0.5), y(*v))),
                None => runs.push(std::mem::take(&mut run)),
            }
        }
        runs.push(run);
        for run in runs.iter().filter(|r| !r.is_empty()) {
            let points: Vec<String> = run.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
            let _ = write!(
                inner,
                "<polyline class=\"line s{}\" points=\"{}\"/>",
                i % 7,
                points.join(" ")
            );
            for (x, y) in run {
                let _ = write!(
                    inner,
                    "<circle class=\"s{}\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.5\"/>",
                    i % 7
                );
            }
        }
    }
    let every = categories.len().div_ceil(8).max(1);
    for (c, name) in categories.iter().enumerate().step_by(every) {
        let _ = write!(
            inner,
            "<text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            40.0 + slot * (c as f64 + 0.5),
            PLOT_H + 16.0,
            escape(name)
        );
    }
    svg(id, PLOT_H + LABEL_H, &inner)
}

/// Horizontal bars, one per row: its label, a bar scaled to `max`, and the words
/// written after it (a count, or a count and a rate).
pub fn bars(id: &str, rows: &[(String, f64, String)], max: f64) -> String {
    let max = max.max(1.0);
    let room = WIDTH - LABEL_W - 120.0;
    let mut inner = String::new();
    for (r, (label, value, said)) in rows.iter().enumerate() {
        let top = r as f64 * ROW_H + 4.0;
        let w = if *value > 0.0 {
            (value / max * room).max(2.0)
        } else {
            0.0
        };
        let _ = write!(
            inner,
            "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect class=\"s0\" x=\"{LABEL_W}\" y=\"{top:.1}\" width=\"{w:.1}\" height=\"{:.1}\"/>\
             <text class=\"label\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            LABEL_W - 8.0,
            top + ROW_H * 0.6,
            escape(label),
            ROW_H - 8.0,
            LABEL_W + w + 6.0,
            top + ROW_H * 0.6,
            escape(said)
        );
    }
    svg(id, rows.len().max(1) as f64 * ROW_H + 8.0, &inner)
}

/// The value axis of a column chart: a base line and the top value.
fn axis(top: f64) -> String {
    format!(
        "<line class=\"grid\" x1=\"36\" x2=\"{WIDTH}\" y1=\"{PLOT_H}\" y2=\"{PLOT_H}\"/>\
         <line class=\"grid\" x1=\"36\" x2=\"{WIDTH}\" y1=\"10\" y2=\"10\"/>\
         <text class=\"tick\" x=\"30\" y=\"14\" text-anchor=\"end\">{top}</text>\
         <text class=\"tick\" x=\"30\" y=\"{}\" text-anchor=\"end\">0</text>",
        PLOT_H + 4.0
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacked_columns_reach_the_top_for_the_tallest_week_and_skip_zeros() {
        let weeks = vec!["W1".to_string(), "W2".to_string()];
        let series = [
            Series {
                name: "a",
                values: vec![Some(1.0), Some(0.0)],
            },
            Series {
                name: "b",
                values: vec![Some(1.0), Some(1.0)],
            },
        ];
        let svg = columns("effort", &weeks, &series, Layout::Stacked);
        assert!(svg.contains("role=\"img\" aria-labelledby=\"effort\""));
        // Week 1 totals 2 (the tallest): its two parts fill the plot height between them.
        let full = PLOT_H - 10.0;
        assert!(svg.contains(&format!("height=\"{:.1}\"", full / 2.0)));
        // Three non-zero values, three rectangles.
        assert_eq!(svg.matches("<rect").count(), 3);
    }

    #[test]
    fn a_missing_value_breaks_a_line() {
        let weeks: Vec<String> = (1..=3).map(|w| format!("W{w}")).collect();
        let series = [Series {
            name: "feeling",
            values: vec![Some(2.0), None, Some(4.0)],
        }];
        let svg = lines("mood", &weeks, &series, 1.0, 5.0);
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("<circle").count(), 2);
    }

    #[test]
    fn a_table_has_row_headers_and_escapes_its_cells() {
        let t = table(
            "x",
            "Figures",
            &["Week", "n"],
            &[vec!["<W1>".into(), "3".into()]],
        );
        assert!(t.contains("<caption>Figures</caption>"));
        assert!(t.contains("<th scope=\"row\">&lt;W1&gt;</th><td class=\"n\">3</td>"));
    }
}
