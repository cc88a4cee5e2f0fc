//! The door: this server answers only the browser that opened the printed address.
//!
//! - The `Host` header must name the loopback address and this port, so a web page
//!   whose domain was pointed at 127.0.0.1 (DNS rebinding) is turned away.
//! - The launch token in the printed address is exchanged once for a session cookie
//!   (`HttpOnly`, `SameSite=Strict`) and then no longer works; every other request
//!   needs that cookie.
//! - Every write carries the page's CSRF token (a form field or a header).
//! - Every answer forbids scripts and frames from elsewhere; no CORS header is ever sent.

use crate::state::Desk;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

pub const COOKIE: &str = "onward_session";
/// The form field, and the header (for scripts), that carry the CSRF token.
pub const CSRF_FIELD: &str = "csrf";
pub const CSRF_HEADER: &str = "x-onward-csrf";
/// Forms are small; a larger body is refused before it is read.
const MAX_FORM: usize = 256 * 1024;
/// An uploaded file for import (a spreadsheet, or a whole journal's JSON export).
pub const MAX_UPLOAD: usize = 64 * 1024 * 1024;

pub async fn guard(State(desk): State<Desk>, request: Request, next: Next) -> Response {
    let response = match check(&desk, request).await {
        Ok(request) => next.run(request).await,
        Err(refusal) => refusal,
    };
    secure(response)
}

async fn check(desk: &Desk, request: Request) -> Result<Request, Response> {
    if !host_is_ours(desk, request.headers().get(header::HOST)) {
        return Err(refuse(
            StatusCode::MISDIRECTED_REQUEST,
            "This address is not Onward's",
            "Onward answers only at 127.0.0.1 or localhost. Open the address the command printed.",
        ));
    }
    if let Some(token) = launch_token(&request) {
        return Err(if desk.use_launch_token(&token, same) {
            welcome(desk)
        } else if has_session(desk, &request) {
            // The opening address again in a browser that is already in (a reload,
            // a bookmark): in it goes, without the token.
            to_today()
        } else {
            not_signed_in()
        });
    }
    if !has_session(desk, &request) {
        return Err(not_signed_in());
    }
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        return Ok(request);
    }
    csrf_checked(desk, request).await
}

fn host_is_ours(desk: &Desk, host: Option<&HeaderValue>) -> bool {
    let Some(host) = host.and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let port = desk.port();
    host == format!("127.0.0.1:{port}") || host == format!("localhost:{port}")
}

fn launch_token(request: &Request) -> Option<String> {
    let query = request.uri().query()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "token")
        .map(|(_, value)| value.into_owned())
}

/// The token was right: set the session cookie, and go to Today without the token in
/// the address (so it stays out of the history and bookmarks).
fn welcome(desk: &Desk) -> Response {
    let cookie = format!(
        "{COOKIE}={}; HttpOnly; SameSite=Strict; Path=/",
        desk.session()
    );
    let mut response = to_today();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

fn to_today() -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response()
}

fn has_session(desk: &Desk, request: &Request) -> bool {
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(name, value)| name == COOKIE && same(value, desk.session()))
}

/// Lets a write through when its header or form field carries the CSRF token.
async fn csrf_checked(desk: &Desk, request: Request) -> Result<Request, Response> {
    let refused = || {
        refuse(
            StatusCode::FORBIDDEN,
            "That change was not made",
            "It did not come from an Onward page. Go back, reload the page and try again.",
        )
    };
    if let Some(token) = request.headers().get(CSRF_HEADER) {
        return match token.to_str() {
            Ok(token) if same(token, desk.csrf()) => Ok(request),
            _ => Err(refused()),
        };
    }
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (parts, body) = request.into_parts();
    let limit = if multipart { MAX_UPLOAD } else { MAX_FORM };
    let bytes = to_bytes(body, limit).await.map_err(|_| refused())?;
    let carried = if multipart {
        multipart_carries(&parts, bytes.clone(), desk.csrf()).await
    } else {
        url::form_urlencoded::parse(&bytes)
            .any(|(name, value)| name == CSRF_FIELD && same(&value, desk.csrf()))
    };
    if !carried {
        return Err(refused());
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// Whether an upload's form fields include the CSRF token.
async fn multipart_carries(
    parts: &axum::http::request::Parts,
    bytes: axum::body::Bytes,
    csrf: &str,
) -> bool {
    use axum::extract::{FromRequest, Multipart};
    let copy = Request::from_parts(parts.clone(), Body::from(bytes));
    let Ok(mut form) = Multipart::from_request(copy, &()).await else {
        return false;
    };
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(CSRF_FIELD) {
            return field.text().await.is_ok_and(|token| same(&token, csrf));
        }
    }
    false
}

fn not_signed_in() -> Response {
    refuse(
        StatusCode::UNAUTHORIZED,
        "Please open Onward from its address",
        "For your privacy Onward opens only in the browser that first opened the address `onward desktop` printed, and that address works once. To come in from here, stop Onward (Ctrl-C) and start `onward desktop` again.",
    )
}

/// A short page for a refused request; it loads nothing.
fn refuse(status: StatusCode, title: &str, text: &str) -> Response {
    let page = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>{title}</title>\
         <meta name=\"viewport\" content=\"width=device-width\"><main><h1>{title}</h1><p>{}</p></main></html>",
        crate::html::escape(text)
    );
    (status, Html(page)).into_response()
}

/// The headers every answer carries.
fn secure(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Compares secrets in time that does not depend on where they differ.
fn same(given: &str, secret: &str) -> bool {
    given.len() == secret.len()
        && given
            .bytes()
            .zip(secret.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn secrets_match_only_when_equal() {
        assert!(same("abc", "abc"));
        assert!(!same("abd", "abc"));
        assert!(!same("ab", "abc"));
        assert!(!same("", "abc"));
    }
}
