//! The real `onward-relay` binary as a child process on a free loopback port.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running relay process; killed on drop if still running.
pub struct RelayProcess {
    child: Child,
    /// `http://127.0.0.1:PORT`, from the first stdout line.
    pub base: String,
}

impl RelayProcess {
    /// Starts the binary with `args` after `--listen 127.0.0.1:0`, stderr into `log`, and
    /// waits (at most 30 s) for its first stdout line.
    pub fn start(args: &[&str], log: &Path) -> RelayProcess {
        RelayProcess::start_with_env(args, &[], log)
    }

    /// [`RelayProcess::start`] with extra environment variables (test knobs).
    pub fn start_with_env(args: &[&str], env: &[(&str, &str)], log: &Path) -> RelayProcess {
        let stderr = std::fs::File::create(log).expect("log file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_onward-relay"))
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            // Tests send many requests from one address: no request rates unless asked.
            .env("ONWARD_RELAY_IP_PER_SECOND", "0")
            .env("ONWARD_RELAY_JOURNAL_PER_SECOND", "0")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start onward-relay");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "onward-relay printed nothing within 30 s; log: {}",
                    read(log)
                );
            }
        };
        let base = line
            .trim()
            .strip_prefix("onward-relay listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}; log: {}", read(log)))
            .to_owned();
        RelayProcess { child, base }
    }

    /// Sends SIGTERM and waits (at most 30 s) for the process to exit.
    pub fn terminate(&mut self) -> ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
        wait_with_timeout(&mut self.child, Duration::from_secs(30))
            .expect("the relay exits after SIGTERM")
    }
}

impl RelayProcess {
    /// SIGKILL: the process dies at once, wherever it is (no shutdown, no commit).
    pub fn kill(&mut self) -> ExitStatus {
        self.child.kill().expect("SIGKILL the relay");
        wait_with_timeout(&mut self.child, Duration::from_secs(30))
            .expect("the relay is gone after SIGKILL")
    }
}

/// Waits (polling, at most `limit`) until the file `log` contains `needle`.
pub fn wait_for_line(log: &Path, needle: &str, limit: Duration) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if read(log).contains(needle) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// Waits for `child` to exit, polling, for at most `limit`.
pub fn wait_with_timeout(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

fn read(log: &Path) -> String {
    std::fs::read_to_string(log).unwrap_or_default()
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
