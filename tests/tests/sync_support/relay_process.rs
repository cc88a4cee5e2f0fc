//! The real `onward-relay` binary as a child process on a loopback port that survives a
//! kill and restart, over SQLite (`--db`) or PostgreSQL (`--postgres`).

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Where a relay keeps its journals.
#[derive(Clone)]
pub enum Store {
    Sqlite(PathBuf),
    Postgres(String),
}

pub struct RelayProcess {
    child: Option<Child>,
    store: Store,
    log: PathBuf,
    addr: SocketAddr,
}

impl RelayProcess {
    /// Starts a relay on a free port; its log goes to `log`.
    pub fn start(store: Store, log: &Path) -> RelayProcess {
        let mut relay = RelayProcess {
            child: None,
            store,
            log: log.to_path_buf(),
            addr: "127.0.0.1:0".parse().unwrap(),
        };
        relay.spawn();
        relay
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// SIGKILL: the relay gets no chance to finish anything.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port and store, retrying while the port is released.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    fn spawn(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match self.try_spawn() {
                Ok(()) => return,
                Err(e) if Instant::now() < deadline => {
                    eprintln!("relay start: {e}; trying again");
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(e) => panic!("the relay didn't start: {e}"),
            }
        }
    }

    fn try_spawn(&mut self) -> Result<(), String> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let mut cmd = Command::new(super::onward_binary().with_file_name("onward-relay"));
        cmd.args(["--listen", &self.addr.to_string()]);
        match &self.store {
            Store::Sqlite(db) => cmd.arg("--db").arg(db),
            Store::Postgres(url) => cmd.args(["--postgres", url]),
        };
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?;
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
        let Some(addr) = line
            .trim()
            .strip_prefix("onward-relay listening on http://")
            .and_then(|a| a.parse().ok())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "first line {line:?}; log: {}",
                std::fs::read_to_string(&self.log).unwrap_or_default()
            ));
        };
        self.addr = addr;
        self.child = Some(child);
        Ok(())
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
