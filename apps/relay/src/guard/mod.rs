//! Abuse limits: request rates per address and per journal, caps on connections and
//! waiting pulls, read timeouts, and who may create a journal (README "Abuse limits").
//! A refused request answers `429 rate_limited` or `503 too_busy` with `Retry-After`.

pub mod body;
pub mod connections;
pub mod rate;
pub mod registration;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use onward_protocol::paths;

use crate::api::batches::PullQuery;
use crate::ids::Id;
pub use connections::{InFlight, LongPoll, LongPolls};
pub use rate::Rates;
pub use registration::Registration;

/// The numbers of the abuse limits; a rate of 0 turns that limit off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Requests per second from one IP address, sustained.
    pub ip_per_second: u32,
    /// Requests from one IP address in a burst above the sustained rate.
    pub ip_burst: u32,
    /// Requests per second for one journal (all its devices together), sustained.
    pub journal_per_second: u32,
    /// Requests for one journal in a burst.
    pub journal_burst: u32,
    /// Open connections per process; one more is answered `503 too_busy` and closed.
    pub max_connections: usize,
    /// Pulls waiting (`wait` above 0) at once per process.
    pub max_long_polls: usize,
    /// Pulls waiting at once per journal.
    pub max_long_polls_per_journal: usize,
    /// Requests about one journal in flight at once in this process, waiting pulls not
    /// counted (they have their own cap).
    pub max_requests_per_journal: usize,
    /// How long a connection may take to send a request's headers (also how long an
    /// idle kept-alive connection stays open).
    pub header_read_timeout: Duration,
    /// How long a request body may pause between two pieces before it is cut off.
    pub body_read_timeout: Duration,
    /// How long a whole request body may take to arrive.
    pub body_read_deadline: Duration,
}

/// Defaults, chosen so a person's few devices never meet them (one device sends a few
/// requests a second at its busiest: a snapshot upload, a catch-up), even several
/// people behind one address.
pub const DEFAULT_IP_PER_SECOND: u32 = 50;
pub const DEFAULT_IP_BURST: u32 = 500;
pub const DEFAULT_JOURNAL_PER_SECOND: u32 = 30;
pub const DEFAULT_JOURNAL_BURST: u32 = 300;
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
pub const DEFAULT_MAX_LONG_POLLS: usize = 512;
pub const DEFAULT_MAX_LONG_POLLS_PER_JOURNAL: usize = 16;
pub const DEFAULT_MAX_REQUESTS_PER_JOURNAL: usize = 32;
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Room for the largest body (4 MiB) at about 70 KB/s.
pub const DEFAULT_BODY_READ_DEADLINE: Duration = Duration::from_secs(60);

impl Default for Limits {
    fn default() -> Self {
        Limits {
            ip_per_second: DEFAULT_IP_PER_SECOND,
            ip_burst: DEFAULT_IP_BURST,
            journal_per_second: DEFAULT_JOURNAL_PER_SECOND,
            journal_burst: DEFAULT_JOURNAL_BURST,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_long_polls: DEFAULT_MAX_LONG_POLLS,
            max_long_polls_per_journal: DEFAULT_MAX_LONG_POLLS_PER_JOURNAL,
            max_requests_per_journal: DEFAULT_MAX_REQUESTS_PER_JOURNAL,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            body_read_deadline: DEFAULT_BODY_READ_DEADLINE,
        }
    }
}

impl Limits {
    /// Checks that the caps and timeouts can be served with (rates may be 0: off).
    pub fn check(&self) -> Result<(), String> {
        if self.max_connections == 0
            || self.max_long_polls == 0
            || self.max_long_polls_per_journal == 0
            || self.max_requests_per_journal == 0
        {
            return Err("the connection, request and long-poll caps must be at least 1".into());
        }
        if self.header_read_timeout.is_zero()
            || self.body_read_timeout.is_zero()
            || self.body_read_deadline.is_zero()
        {
            return Err("the read timeouts must be above 0".into());
        }
        Ok(())
    }
}

/// The limits' state shared by every request of a relay process.
pub struct Guard {
    /// The numbers.
    pub limits: Limits,
    /// Who may create a journal.
    pub registration: Registration,
    /// The request rates.
    pub rates: Rates,
    /// The pulls waiting now.
    pub long_polls: LongPolls,
    /// The requests in flight now, per journal.
    pub in_flight: InFlight,
}

impl Guard {
    /// A guard with nothing counted yet.
    pub fn new(limits: Limits, registration: Registration) -> Guard {
        Guard {
            rates: Rates::new(&limits),
            long_polls: LongPolls::new(limits.max_long_polls, limits.max_long_polls_per_journal),
            in_flight: InFlight::new(limits.max_requests_per_journal),
            limits,
            registration,
        }
    }
}

/// How often the rate limiters forget addresses and journals that went quiet.
pub const FORGET_EVERY: Duration = Duration::from_secs(60);

/// Middleware: a request over its address's or its journal's rate is answered
/// `429 rate_limited`, and one about a journal with as many requests in flight as it may
/// have `503 too_busy`, before anything else is done for it (its body is not read).
pub async fn limit_requests(
    State(guard): State<Arc<Guard>>,
    request: Request,
    next: Next,
) -> Response {
    let ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| peer.ip());
    let journal = journal_of(request.uri().path());
    if let Err(refused) = guard.rates.check(ip, journal.as_ref()) {
        return refused.into_response();
    }
    // Held until the answer is ready; a waiting pull is counted by the long-poll caps.
    let _in_flight = match &journal {
        Some(journal) if !is_long_poll(&request, journal) => match guard.in_flight.enter(journal) {
            Ok(place) => Some(place),
            Err(refused) => return refused.into_response(),
        },
        _ => None,
    };
    next.run(request).await
}

/// Whether `request` is a pull of `journal` that may wait (`wait` above 0), as the pull
/// reads it.
fn is_long_poll(request: &Request, journal: &Id) -> bool {
    request.method() == Method::GET
        && request.uri().path() == paths::BATCHES.replace("{journal}", journal.as_str())
        && Query::<PullQuery>::try_from_uri(request.uri())
            .is_ok_and(|Query(query)| query.wait.unwrap_or(0) > 0)
}

/// The journal id a path is about (`/v1/journals/{journal}...`), when it is a valid one.
fn journal_of(path: &str) -> Option<Id> {
    let rest = path.strip_prefix("/v1/journals/")?;
    let segment = rest.split('/').next()?;
    Id::parse("journal", segment).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_journal_is_read_from_the_path() {
        let id = "0123456789abcdef0123456789abcdef";
        for path in [
            format!("/v1/journals/{id}"),
            format!("/v1/journals/{id}/batches"),
            format!("/v1/journals/{id}/batches/{id}"),
        ] {
            assert_eq!(
                journal_of(&path).map(|j| j.to_string()),
                Some(id.to_owned())
            );
        }
        assert!(journal_of("/v1/health").is_none());
        assert!(journal_of("/v1/journals/nothex").is_none());
        assert!(journal_of("/v1/journals/").is_none());
    }

    #[test]
    fn zero_caps_are_refused() {
        assert!(Limits::default().check().is_ok());
        let limits = Limits {
            max_connections: 0,
            ..Limits::default()
        };
        assert!(limits.check().is_err());
        let limits = Limits {
            body_read_timeout: Duration::ZERO,
            ..Limits::default()
        };
        assert!(limits.check().is_err());
    }
}
