//! The `onward-relay` command: serves the relay until Ctrl-C or SIGTERM.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use onward_protocol::limits;
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

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    logging::init(args.log_format);
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
