//! The `onward-relay` command: serves the relay until Ctrl-C or SIGTERM.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use onward_protocol::limits;
use onward_relay::guard::{self, Limits, Registration};
use onward_relay::logging::{self, LogFormat};
use onward_relay::{serve, Config, Store, WakeMode};

/// Stores and forwards the encrypted sync batches of Onward journals.
#[derive(Debug, Parser)]
#[command(name = "onward-relay", version, about)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8787", env = "ONWARD_RELAY_LISTEN")]
    listen: SocketAddr,

    /// SQLite database file (created if missing).
    #[arg(
        long,
        default_value = "onward-relay.db",
        env = "ONWARD_RELAY_DB",
        conflicts_with = "postgres"
    )]
    db: PathBuf,

    /// PostgreSQL URL instead of SQLite, e.g. postgres://relay@localhost:5432/onward
    /// (several relay processes may share one database).
    #[arg(long, env = "ONWARD_RELAY_POSTGRES")]
    postgres: Option<String>,

    /// Per-journal quota of stored bytes.
    #[arg(long, default_value_t = limits::DEFAULT_QUOTA_BYTES)]
    quota_bytes: u64,

    /// Largest request body in bytes.
    #[arg(long, default_value_t = limits::MAX_BODY_BYTES)]
    max_body_bytes: usize,

    /// Seconds a deleted journal can be restored before the relay drops it for good.
    #[arg(long, default_value_t = limits::DEFAULT_DELETE_GRACE_SECONDS)]
    delete_grace_seconds: u64,

    /// Requests per second from one IP address (sustained; 0 turns the limit off).
    #[arg(long, default_value_t = guard::DEFAULT_IP_PER_SECOND, env = "ONWARD_RELAY_IP_PER_SECOND")]
    ip_per_second: u32,

    /// Requests from one IP address in a burst above the sustained rate.
    #[arg(long, default_value_t = guard::DEFAULT_IP_BURST, env = "ONWARD_RELAY_IP_BURST")]
    ip_burst: u32,

    /// Requests per second for one journal, all its devices together (0: off).
    #[arg(long, default_value_t = guard::DEFAULT_JOURNAL_PER_SECOND, env = "ONWARD_RELAY_JOURNAL_PER_SECOND")]
    journal_per_second: u32,

    /// Requests for one journal in a burst above the sustained rate.
    #[arg(long, default_value_t = guard::DEFAULT_JOURNAL_BURST, env = "ONWARD_RELAY_JOURNAL_BURST")]
    journal_burst: u32,

    /// Open connections at once; more are answered 503 too_busy.
    #[arg(long, default_value_t = guard::DEFAULT_MAX_CONNECTIONS, env = "ONWARD_RELAY_MAX_CONNECTIONS")]
    max_connections: usize,

    /// Pulls waiting for new batches (long-polls) at once.
    #[arg(long, default_value_t = guard::DEFAULT_MAX_LONG_POLLS, env = "ONWARD_RELAY_MAX_LONG_POLLS")]
    max_long_polls: usize,

    /// Pulls waiting at once for one journal.
    #[arg(long, default_value_t = guard::DEFAULT_MAX_LONG_POLLS_PER_JOURNAL, env = "ONWARD_RELAY_MAX_LONG_POLLS_PER_JOURNAL")]
    max_long_polls_per_journal: usize,

    /// Requests about one journal served at once (waiting pulls have their own cap).
    #[arg(long, default_value_t = guard::DEFAULT_MAX_REQUESTS_PER_JOURNAL, env = "ONWARD_RELAY_MAX_REQUESTS_PER_JOURNAL")]
    max_requests_per_journal: usize,

    /// Seconds a connection may take to send a request's headers (and stay idle).
    #[arg(long, default_value_t = guard::DEFAULT_HEADER_READ_TIMEOUT.as_secs(), env = "ONWARD_RELAY_HEADER_TIMEOUT_SECONDS")]
    header_timeout_seconds: u64,

    /// Seconds a request body may pause before it is cut off.
    #[arg(long, default_value_t = guard::DEFAULT_BODY_READ_TIMEOUT.as_secs(), env = "ONWARD_RELAY_BODY_TIMEOUT_SECONDS")]
    body_timeout_seconds: u64,

    /// Seconds a whole request body may take to arrive, however steadily it comes.
    #[arg(long, default_value_t = guard::DEFAULT_BODY_READ_DEADLINE.as_secs(), env = "ONWARD_RELAY_BODY_DEADLINE_SECONDS")]
    body_deadline_seconds: u64,

    /// Who may create a journal: anyone (open), or whoever has --registration-token (token).
    #[arg(long, value_enum, default_value_t = RegistrationMode::Open, env = "ONWARD_RELAY_REGISTRATION")]
    registration: RegistrationMode,

    /// The token a new journal must carry (Onward-Registration header) with --registration token.
    #[arg(long, env = "ONWARD_RELAY_REGISTRATION_TOKEN", hide_env_values = true)]
    registration_token: Option<String>,

    /// Log format on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Human)]
    log_format: LogFormat,

    /// Test knob: hold each push of a new batch this many milliseconds before its commit
    /// (so a test can kill the relay mid-write). Environment only, hidden from --help.
    #[arg(
        long = "stall-push-ms",
        env = "ONWARD_RELAY_STALL_PUSH_MS",
        hide = true
    )]
    stall_push_ms: Option<u64>,

    /// How waiting pulls learn of new batches: `notify` (pushes wake them, through
    /// PostgreSQL LISTEN/NOTIFY from every process) or `poll` (the design before: each
    /// waiting pull re-checks storage every 500 ms). Kept to compare the two; hidden.
    #[arg(long, value_enum, default_value_t = WakeMode::Notify, env = "ONWARD_RELAY_WAKE", hide = true)]
    wake: WakeMode,
}

/// How the relay takes new journals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum RegistrationMode {
    /// Anyone may create a journal.
    Open,
    /// A new journal needs --registration-token.
    Token,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    logging::init(args.log_format);
    let registration = match (args.registration, args.registration_token) {
        (RegistrationMode::Open, _) => Registration::Open,
        (RegistrationMode::Token, Some(token)) if !token.trim().is_empty() => {
            Registration::Token(token.trim().to_owned())
        }
        (RegistrationMode::Token, _) => {
            eprintln!(
                "onward-relay could not start: --registration token needs --registration-token \
                 (or ONWARD_RELAY_REGISTRATION_TOKEN), the token you hand to the people you host."
            );
            return ExitCode::FAILURE;
        }
    };
    let config = Config {
        listen: args.listen,
        store: match args.postgres {
            Some(url) => Store::Postgres(url),
            None => Store::Sqlite(args.db),
        },
        quota_bytes: args.quota_bytes,
        max_body_bytes: args.max_body_bytes,
        stall_push: args.stall_push_ms.map(Duration::from_millis),
        delete_grace: Duration::from_secs(args.delete_grace_seconds),
        clock: Default::default(),
        wake: args.wake,
        limits: Limits {
            ip_per_second: args.ip_per_second,
            ip_burst: args.ip_burst,
            journal_per_second: args.journal_per_second,
            journal_burst: args.journal_burst,
            max_connections: args.max_connections,
            max_long_polls: args.max_long_polls,
            max_long_polls_per_journal: args.max_long_polls_per_journal,
            max_requests_per_journal: args.max_requests_per_journal,
            header_read_timeout: Duration::from_secs(args.header_timeout_seconds),
            body_read_timeout: Duration::from_secs(args.body_timeout_seconds),
            body_read_deadline: Duration::from_secs(args.body_deadline_seconds),
        },
        registration,
    };
    let running = match serve(config).await {
        Ok(running) => running,
        Err(e) => {
            eprintln!("onward-relay could not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Tests and scripts read this first line to learn the port.
    println!("onward-relay listening on http://{}", running.addr());
    let _ = std::io::stdout().flush();
    stop_signal().await;
    tracing::info!("shutting down");
    running.shutdown().await;
    ExitCode::SUCCESS
}

/// Waits for Ctrl-C or, on Unix, SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
