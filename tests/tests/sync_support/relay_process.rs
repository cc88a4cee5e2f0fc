//! The real `onward-relay` binary as a child process on a loopback port that survives a
//! kill and restart, over SQLite (`--db`) or PostgreSQL (`--postgres`).

use std::io::{BufRead, BufReader, Write};
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
    /// Environment the relay is started with (test knobs), kept across restarts.
    env: Vec<(String, String)>,
    /// Options the relay is started with, kept across restarts.
    args: Vec<String>,
}

impl RelayProcess {
    /// Starts a relay on a free port; its log goes to `log`.
    pub fn start(store: Store, log: &Path) -> RelayProcess {
        RelayProcess::start_with_env(store, log, &[])
    }

    /// Starts a relay with extra environment (such as `ONWARD_RELAY_STALL_PUSH_MS`).
    pub fn start_with_env(store: Store, log: &Path, env: &[(&str, &str)]) -> RelayProcess {
        RelayProcess::start_with(store, log, env, &[])
    }

    /// Starts a relay with extra environment and options (such as
    /// `--delete-grace-seconds 1`).
    pub fn start_with(
        store: Store,
        log: &Path,
        env: &[(&str, &str)],
        args: &[&str],
    ) -> RelayProcess {
        let mut relay = RelayProcess {
            child: None,
            store,
            log: log.to_path_buf(),
            addr: "127.0.0.1:0".parse().unwrap(),
            env: Vec::new(),
            args: args.iter().map(|a| a.to_string()).collect(),
        };
        relay.set_env(env);
        relay.spawn();
        relay
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The file its stdout and stderr go to, across restarts.
    pub fn log(&self) -> &Path {
        &self.log
    }

    /// The environment of the next start (restart) replaces the current one.
    pub fn set_env(&mut self, env: &[(&str, &str)]) {
        self.env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    }

    /// SIGTERM, and waits (bounded) for the graceful exit; SIGKILL if it takes too long.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        eprintln!("the relay didn't stop within 20 s of SIGTERM: killed");
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Starts it after a [`RelayProcess::kill`] or [`RelayProcess::stop`] (same port and store).
    pub fn start_again(&mut self) {
        assert!(self.child.is_none(), "stop it first");
        self.spawn();
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
        let log_copy = log.try_clone().unwrap();
        let mut cmd = Command::new(super::onward_binary().with_file_name("onward-relay"));
        cmd.args(["--listen", &self.addr.to_string()]);
        cmd.args(&self.args);
        // Many simulated devices on one loopback address: no request rates (a test's own
        // env may set them).
        cmd.env("ONWARD_RELAY_IP_PER_SECOND", "0")
            .env("ONWARD_RELAY_JOURNAL_PER_SECOND", "0");
        cmd.envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
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
        let mut stdout_log = log_copy;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut stdout = BufReader::new(stdout);
            let mut line = String::new();
            let _ = stdout.read_line(&mut line);
            let _ = stdout_log.write_all(line.as_bytes());
            let _ = tx.send(line);
            // The rest of stdout goes to the log too (until the relay exits).
            let _ = std::io::copy(&mut stdout, &mut stdout_log);
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
