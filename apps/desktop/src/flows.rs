//! The routes of the writing flows: interviews, journal entries (with the editor's
//! script) and notes to people. Merged into the router behind the same door.

use crate::screens::{entry, interview, message};
use crate::state::Desk;
use axum::http::header;
use axum::routing::{get, post};
use axum::Router;

const EDITOR: &str = include_str!("../assets/editor.js");

pub fn routes() -> Router<Desk> {
    Router::new()
        .route("/interviews/new", get(interview::form))
        .route("/interviews", post(interview::create))
        .route("/entries", get(entry::list).post(entry::save))
        .route("/entries/new", get(entry::new))
        .route("/entries/{id}", get(entry::edit))
        .route("/messages", get(message::list).post(message::create))
        .route("/messages/new", get(message::form))
        .route("/messages/{id}", get(message::show))
        .route("/messages/{id}/text", post(message::text))
        .route("/messages/{id}/sent", post(message::sent))
        .route("/messages/{id}/answer", post(message::answer))
        .route(
            "/assets/editor.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    EDITOR,
                )
            }),
        )
}
