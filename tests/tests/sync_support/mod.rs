//! What the sync scenarios share: a real relay on 127.0.0.1 (the onward-relay library,
//! on a runtime of its own, stoppable and restartable on the same port) and devices that
//! run the real `onward` binary, each on a journal file of its own. Every wait is bounded.

#![allow(dead_code)]

// The relay's own throwaway PostgreSQL server, shared rather than copied.
pub mod backup;
#[path = "../../../apps/relay/tests/support/postgres.rs"]
pub mod postgres;
pub mod relay_process;
#[path = "../../../apps/relay/tests/support/sqlite_copy.rs"]
pub mod sqlite_copy;

use onward_relay::{Config, Running};
use serde_json::Value;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The longest one `onward` run may take before the test fails.
const RUN_LIMIT: Duration = Duration::from_secs(120);
/// The longest building the `onward` binary may take (usually nothing: it is built).
const BUILD_LIMIT: Duration = Duration::from_secs(1200);

/// A real relay (SQLite) serving on loopback in this test process.
pub struct LoopbackRelay {
    runtime: tokio::runtime::Runtime,
    running: Option<Running>,
    addr: SocketAddr,
    db: PathBuf,
    adjust: fn(&mut Config),
}

/// The relay's config for `db` on `addr`: the defaults, but no request rates (every
/// device of a test shares one loopback address), then `adjust`.
fn config(db: &Path, addr: SocketAddr, adjust: fn(&mut Config)) -> Config {
    let mut config = Config::sqlite(db.to_path_buf(), addr);
    config.limits.ip_per_second = 0;
    config.limits.journal_per_second = 0;
    adjust(&mut config);
    config
}

impl LoopbackRelay {
    /// A relay on a free loopback port, keeping its journals in `dir`.
    pub fn start(dir: &Path) -> LoopbackRelay {
        LoopbackRelay::start_with(dir, |_| {})
    }

    /// [`LoopbackRelay::start`] with a config `adjust` changes (registration, limits).
    pub fn start_with(dir: &Path, adjust: fn(&mut Config)) -> LoopbackRelay {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let db = dir.join("relay.db");
        let running = runtime
            .block_on(onward_relay::serve(config(
                &db,
                "127.0.0.1:0".parse().unwrap(),
                adjust,
            )))
            .unwrap();
        let addr = running.addr();
        LoopbackRelay {
            runtime,
            running: Some(running),
            addr,
            db,
            adjust,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the relay (its data stays for a restart).
    pub fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            self.runtime.block_on(async {
                tokio::time::timeout(Duration::from_secs(20), running.shutdown())
                    .await
                    .expect("the relay stops within 20 s")
            });
        }
    }

    /// Starts it again on the same port with the same data.
    pub fn restart(&mut self) {
        assert!(self.running.is_none(), "stop it first");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match self.runtime.block_on(onward_relay::serve(config(
                &self.db,
                self.addr,
                self.adjust,
            ))) {
                Ok(running) => {
                    self.running = Some(running);
                    return;
                }
                Err(e) if Instant::now() < deadline => {
                    eprintln!("relay restart: {e}; trying again");
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(e) => panic!("the relay didn't restart: {e}"),
            }
        }
    }

    /// Runs a future on the relay's runtime (for talking to it directly).
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(async {
            tokio::time::timeout(Duration::from_secs(60), future)
                .await
                .expect("done within 60 s")
        })
    }
}

impl Drop for LoopbackRelay {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One device: a journal file used through the real `onward` binary.
pub struct Device {
    pub journal: PathBuf,
    /// Set for each run, after the defaults (keys in the key folder, `ONWARD_KEYS=file`).
    pub env: Vec<(String, String)>,
}

/// What a run printed.
pub struct Ran {
    pub ok: bool,
    /// The exit status (3: done, but the relay didn't send everything).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Device {
    pub fn new(dir: &Path, name: &str) -> Device {
        Device {
            journal: dir.join(format!("{name}.onward")),
            env: Vec::new(),
        }
    }

    /// Runs `onward --journal FILE ARGS...`, bounded in time.
    pub fn try_run(&self, args: &[&str]) -> Ran {
        let mut cmd = Command::new(onward_binary());
        // The device's name in its sync records comes from the machine's name.
        let name = self.journal.file_stem().unwrap_or_default();
        cmd.arg("--journal")
            .arg(&self.journal)
            .args(args)
            .env("HOSTNAME", name)
            .env_remove("ONWARD_JOURNAL")
            .env_remove("EDITOR")
            .env_remove("VISUAL")
            // The key folder, whatever keyring the machine running the tests has.
            .env("ONWARD_KEYS", "file")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null());
        let out = bounded(cmd, RUN_LIMIT);
        Ran {
            ok: out.status.success(),
            code: out.status.code(),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }

    /// Runs and expects success; the human output.
    pub fn run(&self, args: &[&str]) -> String {
        let ran = self.try_run(args);
        assert!(
            ran.ok,
            "onward {args:?} failed:\n{}\n{}",
            ran.stderr, ran.stdout
        );
        ran.stdout
    }

    /// Runs with `--json` and expects success.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
    }

    /// Runs and expects a failure; stderr.
    pub fn fail(&self, args: &[&str]) -> String {
        let ran = self.try_run(args);
        assert!(
            !ran.ok,
            "onward {args:?} should have failed:\n{}",
            ran.stdout
        );
        assert!(ran.stdout.is_empty(), "nothing on stdout for an error");
        ran.stderr
    }

    /// Titles of everything in the journal, sorted.
    pub fn titles(&self) -> Vec<String> {
        let listed = self.json(&["timeline", "--page", "1"]);
        let mut titles: Vec<String> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["title"].as_str().unwrap().to_string())
            .collect();
        titles.sort();
        titles
    }

    /// A one-time invitation for another device (`onward sync invite --no-qr`).
    pub fn invite(&self) -> String {
        let invite = self.json(&["sync", "invite", "--no-qr"]);
        let code = invite["code"].as_str().unwrap().to_string();
        assert!(code.starts_with("ONWARD2-"), "{invite}");
        assert!(invite["expires_at"].is_string(), "{invite}");
        code
    }

    /// Joins the journal `inviter` syncs, with an invitation of its own; the human output.
    pub fn join(&self, inviter: &Device, extra: &[&str]) -> String {
        let code = inviter.invite();
        let mut args = vec!["sync", "join", &code, "--yes"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// The folder of this device's key file (`<journal>-keys/`, as the CLI keeps it).
    pub fn keys_dir(&self) -> PathBuf {
        let mut name = self.journal.file_name().unwrap().to_os_string();
        name.push("-keys");
        self.journal.with_file_name(name)
    }

    /// This device's sync keys, read from its journal and key file as the CLI reads
    /// them (with the device list it last verified).
    pub fn keys(&self) -> onward_core::sync::Keys {
        self.open().sync_keys().unwrap()
    }

    /// The journal file and its -wal and -shm files, those that exist.
    pub fn journal_files(&self) -> Vec<PathBuf> {
        ["", "-wal", "-shm"]
            .iter()
            .map(|suffix| {
                let mut path = self.journal.clone().into_os_string();
                path.push(suffix);
                PathBuf::from(path)
            })
            .filter(|p| p.exists())
            .collect()
    }

    /// This device's journal opened in the test, with its key folder as the CLI keeps it.
    pub fn open(&self) -> onward_core::Journal {
        let mut journal = onward_core::Journal::open(&self.journal).unwrap();
        journal.set_secret_store(std::sync::Arc::new(onward_core::sync::KeyFile::new(
            self.keys_dir(),
        )));
        journal
    }

    /// The bytes of every file in this device's key folder (its private keys and the
    /// epoch keys it holds, as stored).
    pub fn key_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(self.keys_dir())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .map(|p| {
                let bytes = std::fs::read(&p).unwrap();
                (p, bytes)
            })
            .collect();
        files.sort();
        files
    }

    /// The relay this device syncs through, from its journal's sync settings.
    pub fn relay_url(&self) -> String {
        let journal = onward_core::Journal::open(&self.journal).unwrap();
        journal.sync_enabled().unwrap().relay_url
    }

    /// The journal id, from `onward sync status --json`.
    pub fn journal_id(&self) -> String {
        let status = self.json(&["sync", "status"]);
        status["journal_id"]
            .as_str()
            .unwrap_or_else(|| panic!("no journal_id in {status}"))
            .to_string()
    }
}

/// Waits for `cmd`, killing it after `limit`.
fn bounded(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{cmd:?} ran over {limit:?}:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The `onward` binary of this build, built first if needed: it belongs to another
/// package, so cargo doesn't hand its path to this one's tests.
pub fn onward_binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY
        .get_or_init(|| {
            // This test runs from <target>/<profile>/deps/.
            let exe = std::env::current_exe().unwrap();
            let profile_dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
            let target_dir = profile_dir.parent().unwrap();
            let release = profile_dir.file_name().is_some_and(|n| n == "release");
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let mut build = Command::new(cargo);
            build
                // As `cargo test --workspace` builds it, so that this is a no-op under
                // tests/run (another feature set would rebuild and replace it).
                .args(["build", "--quiet", "--workspace", "--bins", "--tests"])
                .arg("--target-dir")
                .arg(target_dir)
                .current_dir(env!("CARGO_MANIFEST_DIR"));
            if release {
                build.arg("--release");
            }
            let out = bounded(build, BUILD_LIMIT);
            assert!(
                out.status.success(),
                "building onward failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            profile_dir.join(format!("onward{}", std::env::consts::EXE_SUFFIX))
        })
        .clone()
}

/// Runs a future (a relay call, a core sync step) on a runtime of its own, bounded in time.
pub fn on_runtime<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            tokio::time::timeout(Duration::from_secs(60), future)
                .await
                .expect("done within 60 s")
        })
}

/// The keys in a device's stored secrets (what its secret store holds, as JSON): its
/// signing, boxing and credential keys and each epoch key, as bytes.
pub fn stored_keys(stored: &[u8]) -> Vec<Vec<u8>> {
    let stored: Value = serde_json::from_slice(stored).unwrap();
    let mut found = Vec::new();
    for field in ["sign", "boxing", "credential"] {
        found.push(hex::decode(stored["member"][field].as_str().unwrap()).unwrap());
    }
    for pair in stored["epochs"].as_array().unwrap() {
        found.push(hex::decode(pair[1].as_str().unwrap()).unwrap());
    }
    found
}

/// Every file under `dir`, at any depth (none if it isn't there).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                todo.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// None of `secrets`, raw or as hex, is in any of `files` (and there are files to scan).
pub fn assert_nowhere(secrets: &[Vec<u8>], files: &[PathBuf]) {
    assert!(!files.is_empty());
    for file in files {
        let bytes = std::fs::read(file).unwrap_or_default();
        for secret in secrets {
            let as_hex = hex::encode(secret);
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_slice())
                    && !bytes.windows(as_hex.len()).any(|w| w == as_hex.as_bytes()),
                "a secret is in {}",
                file.display()
            );
        }
    }
}
