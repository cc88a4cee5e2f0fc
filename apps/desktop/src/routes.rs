//! Which address draws which screen; every route is behind the door (`guard`).

use crate::state::Desk;
use crate::{guard, live, screens};
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::routing::{get, post};
use axum::Router;

const STYLE: &str = include_str!("../assets/style.css");
const SCRIPT: &str = include_str!("../assets/app.js");

pub fn router(desk: Desk) -> Router {
    Router::new()
        .route("/", get(screens::today::show))
        .route("/reminders/done", post(screens::today::done))
        .route("/reminders/snooze", post(screens::today::snooze))
        .route("/board", get(screens::board::show))
        .route("/applications/new", get(screens::application::form))
        .route("/applications", post(screens::application::create))
        .route("/applications/{id}/stage", post(screens::board::stage))
        .route("/applications/{id}/outcome", post(screens::board::outcome))
        .route("/rejections/new", get(screens::rejection::form))
        .route("/rejections", post(screens::rejection::create))
        .route("/search", get(screens::search::show))
        .route("/api/search", get(screens::search::json))
        .route("/records/{id}", get(screens::record::show))
        .route("/events", get(live::events))
        .merge(sync_routes())
        .merge(people_and_steps_routes())
        .route(
            "/assets/style.css",
            get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE) }),
        )
        .route(
            "/assets/app.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    SCRIPT,
                )
            }),
        )
        // The writing flows: interviews, journal entries, notes.
        .merge(crate::flows::routes())
        // The big picture and the reports.
        .route("/picture", get(screens::picture::show))
        .route("/reports/work-search", get(screens::work_search::show))
        .route("/reports/work-search.csv", get(screens::work_search::csv))
        .route("/reports/coach", get(screens::coach::show))
        .merge(export_import_routes())
        .layer(axum::middleware::from_fn_with_state(
            desk.clone(),
            guard::guard,
        ))
        // Outside the door, so the door's own reading of an upload may take a whole
        // file; the door reads every body itself and lets only MAX_FORM through for forms.
        .layer(DefaultBodyLimit::max(guard::MAX_UPLOAD))
        .with_state(desk)
}

/// Downloads, and imports checked before they are made.
fn export_import_routes() -> Router<Desk> {
    Router::new()
        .route("/export", get(screens::export::show))
        .route("/export/{format}", get(screens::export::download))
        .route("/import", get(screens::import::form))
        .route("/import/check", post(screens::import::check))
        .route("/import/confirm", post(screens::import::confirm))
}

/// Sync: turning it on, where it stands, invitations and devices.
fn sync_routes() -> Router<Desk> {
    Router::new()
        .route("/sync", get(screens::sync::show))
        .route("/sync/on", post(screens::sync::turn_on))
        .route("/sync/now", post(screens::sync::now))
        .route("/sync/invite", post(screens::sync::invite))
}

/// People, goals and stepping back.
fn people_and_steps_routes() -> Router<Desk> {
    Router::new()
        .route(
            "/contacts",
            get(screens::contacts::show).post(screens::contacts::create),
        )
        .route(
            "/goals",
            get(screens::goals::show).post(screens::goals::create),
        )
        .route("/goals/{id}/progress", post(screens::goals::progress))
        .route("/goals/{id}/status", post(screens::goals::status))
        .route(
            "/activities",
            get(screens::activities::show).post(screens::activities::create),
        )
        .route("/activities/{id}/done", post(screens::activities::done))
}
