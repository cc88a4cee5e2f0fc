//! Runs the real `onward` binary against a journal in a temporary directory.

#![allow(dead_code)]

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct Onward {
    pub dir: tempfile::TempDir,
    pub journal: PathBuf,
}

/// What a failed run printed.
pub struct Failed {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Onward {
    pub fn new() -> Onward {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal.onward");
        Onward { dir, journal }
    }

    /// The command with `--journal` set and nothing inherited that would change it.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_onward"));
        cmd.arg("--journal").arg(&self.journal).args(args);
        cmd.env_remove("ONWARD_JOURNAL")
            .env_remove("ONWARD_NOW")
            .env_remove("ONWARD_TIME_ZONE")
            .env_remove("EDITOR")
            .env_remove("VISUAL")
            // Days are the test's, not the machine's: UTC unless a test says otherwise
            // (TZ too, for the CSV importer, which still reads the process's zone).
            .env("ONWARD_TIME_ZONE", "UTC")
            .env("TZ", "UTC")
            .stdin(Stdio::null());
        cmd
    }

    /// Runs and expects success: the human output.
    pub fn run(&self, args: &[&str]) -> String {
        succeeded(args, self.command(args).output().unwrap())
    }

    /// Runs with `--json`, expects success, and parses stdout.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        parse_json(&all, &self.run(&all))
    }

    /// Runs with `input` on stdin.
    pub fn run_with_stdin(&self, args: &[&str], input: &str) -> String {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        succeeded(args, child.wait_with_output().unwrap())
    }

    pub fn json_with_stdin(&self, args: &[&str], input: &str) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        parse_json(&all, &self.run_with_stdin(&all, input))
    }

    /// Runs and expects a failure.
    pub fn fail(&self, args: &[&str]) -> Failed {
        failed(args, self.command(args).output().unwrap())
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

pub fn succeeded(args: &[&str], out: Output) -> String {
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        out.status.success(),
        "onward {args:?} failed ({}):\n{stderr}\n{stdout}",
        out.status
    );
    stdout
}

pub fn failed(args: &[&str], out: Output) -> Failed {
    let code = out.status.code().unwrap_or(-1);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        !out.status.success(),
        "onward {args:?} should have failed:\n{stdout}"
    );
    Failed {
        code,
        stdout,
        stderr,
    }
}

pub fn parse_json(args: &[&str], stdout: &str) -> Value {
    serde_json::from_str(stdout)
        .unwrap_or_else(|e| panic!("onward {args:?} printed no JSON ({e}):\n{stdout}"))
}

/// The first 8 characters of an id, as the CLI shows it.
pub fn short(id: &Value) -> String {
    id.as_str().unwrap()[..8].to_string()
}

/// A date `days` ago in the form people type (in UTC, the zone the commands run in).
pub fn days_ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// Writes an executable shell script (for $EDITOR).
#[cfg(unix)]
pub fn script(path: &Path, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, format!("#!/bin/sh\nset -e\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The rules of the reminders listed.
pub fn rules(reminders: &Value) -> Vec<(String, String)> {
    reminders
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["rule"].as_str().unwrap().to_string(),
                r["target_id"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}
