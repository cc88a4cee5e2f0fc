//! The journal at a desk: a small web server on this machine's loopback address that
//! draws the journal for the browser, in the shape Syncthing made familiar. Every rule,
//! word and vocabulary comes from the core; this crate only draws and guards the door.

mod chart;
mod flows;
mod guard;
mod html;
mod live;
mod routes;
mod screens;
mod state;
mod tidy;

pub use state::Desk;

use onward_core::Journal;
use std::net::{Ipv4Addr, SocketAddr};

/// How to serve: shared by `onward-desktop` and `onward desktop`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// The port to listen on, on 127.0.0.1 only [default: a free one]
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
    /// Don't open the browser; only print the address
    #[arg(long)]
    pub no_browser: bool,
}

/// Serves `journal` until Ctrl-C: prints the address to open (with its one-time token)
/// and opens the browser there unless asked not to.
pub fn serve(journal: Journal, args: &ServeArgs) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("could not start the server: {e}"))?;
    runtime.block_on(async {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port.unwrap_or(0)));
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("could not listen on {addr}: {e}"))?;
        let port = listener
            .local_addr()
            .map_err(|e| format!("could not read the address listened on: {e}"))?
            .port();
        let desk = Desk::new(journal, port);
        let url = desk.new_opening_url();
        say(&format!("Onward is open at {url}"));
        say("That address works once. Keep this window open while you use Onward; press Enter here for a new address (another browser), Ctrl-C to stop.");
        if !args.no_browser && !open_browser(&url) {
            say("Open that address in your browser to begin.");
        }
        new_addresses_on_enter(desk.clone());
        let app = routes::router(desk.clone());
        let stopping = desk.stopping();
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = tokio::signal::ctrl_c().await;
                stopping.stop();
            })
            .await
            .map_err(|e| format!("the server stopped: {e}"))?;
        say("Stopped. Your journal is saved.");
        Ok(())
    })
}

/// Each line typed where Onward runs prints a new one-time address; a closed or
/// absent input (a script, a service) just ends this.
fn new_addresses_on_enter(desk: Desk) {
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            if line.is_err() {
                break;
            }
            say(&format!(
                "A new address, for one browser: {}",
                desk.new_opening_url()
            ));
        }
    });
}

/// Prints a line; a closed stdout (a script that read the address and went) is no
/// reason to stop serving.
fn say(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
}

/// Asks the system to open `url` in the default browser; false when it could not.
fn open_browser(url: &str) -> bool {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    command
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_ok()
}
