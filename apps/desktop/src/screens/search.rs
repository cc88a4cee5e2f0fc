//! Search: a form that works without the script, and a JSON answer the script asks as
//! the person types.

use crate::html::{escape, page, Screen};
use crate::screens::record_link;
use crate::state::{Desk, Trouble};
use axum::extract::{Query, State};
use axum::response::Html;
use axum::Json;
use onward_core::vocabulary::Label;
use onward_core::Hit;
use serde::Deserialize;
use serde_json::{json, Value};

/// Enough to scan; more words narrow it.
const LIMIT: usize = 30;

#[derive(Deserialize)]
pub struct Asked {
    #[serde(default)]
    q: String,
}

async fn hits(desk: &Desk, q: String) -> Result<Vec<Hit>, Trouble> {
    if q.trim().is_empty() {
        return Ok(Vec::new());
    }
    desk.with_journal(move |j| j.search(q.trim(), LIMIT)).await
}

pub async fn show(
    State(desk): State<Desk>,
    Query(asked): Query<Asked>,
) -> Result<Html<String>, Trouble> {
    let found = hits(&desk, asked.q.clone()).await?;
    let results: String = found
        .iter()
        .map(|h| {
            format!(
                "<li>{}<p class=\"snippet\">{}</p></li>",
                record_link(h.record.id(), Some(h.record.kind()), &h.title),
                escape(&h.snippet)
            )
        })
        .collect();
    let summary = match (asked.q.trim().is_empty(), found.len()) {
        (true, _) => String::new(),
        (false, 0) => "Nothing matches those words yet.".to_string(),
        (false, 1) => "One match.".to_string(),
        (false, n) => format!("{n} matches."),
    };
    let body = format!(
        "<h1>Search</h1>
<form method=\"get\" action=\"/search\" role=\"search\" id=\"search-form\">
<label for=\"q\">Words to look for</label>
<input id=\"q\" name=\"q\" type=\"search\" value=\"{q}\" autocomplete=\"off\"><button>Search</button>
</form>
<p id=\"search-summary\" role=\"status\">{summary}</p>
<ul id=\"search-results\" class=\"records\">{results}</ul>",
        q = escape(&asked.q)
    );
    Ok(page(Screen::Search, "Search", false, &body))
}

/// `GET /api/search?q=`: the hits, each with its kind's label, title and snippet.
pub async fn json(
    State(desk): State<Desk>,
    Query(asked): Query<Asked>,
) -> Result<Json<Value>, Trouble> {
    let found = hits(&desk, asked.q).await?;
    let hits: Vec<Value> = found
        .iter()
        .map(|h| {
            json!({
                "id": h.record.id(),
                "kind": h.record.kind().label(),
                "title": h.title,
                "snippet": h.snippet,
            })
        })
        .collect();
    Ok(Json(json!({ "hits": hits })))
}
