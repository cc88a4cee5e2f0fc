//! The page shell every screen is drawn in, and escaping. Pages are plain HTML: every
//! control is labelled and reachable by keyboard; the script only makes them livelier.

use crate::state::{Desk, Trouble};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use onward_core::zone::{self, Zone};

/// Text made safe to place in HTML, in an element or a quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The screens in the navigation, with their addresses.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Today,
    Board,
    NewApplication,
    Search,
    Picture,
    WorkSearch,
    Coach,
    Sync,
    Contacts,
    Goals,
    Activities,
    Other,
    Journal,
    Messages,
    Transfer,
}

const NAV: &[(Screen, &str, &str)] = &[
    (Screen::Today, "/", "Today"),
    (Screen::Board, "/board", "Applications"),
    (
        Screen::NewApplication,
        "/applications/new",
        "Log an application",
    ),
    (Screen::Search, "/search", "Search"),
    (Screen::Journal, "/entries", "Journal"),
    (Screen::Messages, "/messages", "Notes"),
    (Screen::Picture, "/picture", "Big picture"),
    (
        Screen::WorkSearch,
        "/reports/work-search",
        "Work-search log",
    ),
    (Screen::Coach, "/reports/coach", "For a coach"),
    (Screen::Sync, "/sync", "Sync"),
    (Screen::Transfer, "/export", "Export and import"),
    (Screen::Contacts, "/contacts", "People"),
    (Screen::Goals, "/goals", "Goals"),
    (Screen::Activities, "/activities", "Stepping back"),
];

/// A whole page. `live` content is redrawn when the journal changes (see app.js).
pub fn page(screen: Screen, title: &str, live: bool, body: &str) -> Html<String> {
    let nav: String = NAV
        .iter()
        .map(|(s, href, label)| {
            let current = if *s == screen {
                " aria-current=\"page\""
            } else {
                ""
            };
            format!("<li><a href=\"{href}\"{current}>{label}</a></li>")
        })
        .collect();
    let live = if live { " data-live" } else { "" };
    Html(format!(
        "<!doctype html>
<html lang=\"en\">
<head>
<meta charset=\"utf-8\">
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">
<meta name=\"color-scheme\" content=\"light dark\">
<title>{title} · Onward</title>
<link rel=\"stylesheet\" href=\"/assets/style.css\">
<script src=\"/assets/app.js\" defer></script>
</head>
<body>
<a class=\"skip\" href=\"#content\">Skip to content</a>
<header><nav aria-label=\"Main\"><span class=\"brand\">Onward</span><ul>{nav}</ul></nav></header>
<main id=\"content\"{live}>
{body}
</main>
</body>
</html>",
        title = escape(title)
    ))
}

/// The hidden field that lets a form's write through the door.
pub fn csrf_field(desk: &Desk) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        crate::guard::CSRF_FIELD,
        desk.csrf()
    )
}

/// A day as people read it, in the person's zone ("Mon 2 Nov 2026").
pub fn day(at: DateTime<Utc>, zone: Zone) -> String {
    zone::local_day(at, zone).format("%a %-d %b %Y").to_string()
}

/// `<option>`s for a closed vocabulary, with the core's labels.
pub fn options<T: Copy + PartialEq + std::fmt::Display>(
    all: &[T],
    label: impl Fn(T) -> &'static str,
    chosen: Option<T>,
) -> String {
    all.iter()
        .map(|v| {
            let selected = if chosen == Some(*v) { " selected" } else { "" };
            format!(
                "<option value=\"{v}\"{selected}>{}</option>",
                escape(label(*v))
            )
        })
        .collect()
}

impl IntoResponse for Trouble {
    fn into_response(self) -> Response {
        use onward_core::Error;
        let (status, text) = match self {
            Trouble::Journal(e @ (Error::NotFound { .. } | Error::NoSuchReminder { .. })) => {
                (StatusCode::NOT_FOUND, e.to_string())
            }
            Trouble::Journal(
                e @ (Error::Invalid { .. } | Error::Ambiguous { .. } | Error::Refused { .. }),
            ) => (StatusCode::BAD_REQUEST, e.to_string()),
            Trouble::Journal(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
            Trouble::Gone => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Onward is stopping; start it again to go on.".to_string(),
            ),
        };
        let body = format!(
            "<h1>That didn't work</h1><p role=\"alert\">{}</p><p><a href=\"/\">Back to Today</a></p>",
            escape(&text)
        );
        (
            status,
            page(Screen::Other, "That didn't work", false, &body),
        )
            .into_response()
    }
}

/// A textarea's text as typed: browsers send its line breaks as CRLF; the journal keeps
/// plain newlines, as every other shell writes them.
pub fn typed(text: &str) -> String {
    text.replace("\r\n", "\n")
}
