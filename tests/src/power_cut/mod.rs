//! Power cuts and failing disks, simulated under SQLite in the process that writes.
//!
//! [`install`] registers a VFS that wraps SQLite's "unix" one as the default, so every
//! connection the process opens goes through it, the core's included, with no change
//! to the core. For each file it keeps what the writes since the file's last fsync
//! overwrote ([`undo`]). At the I/O call chosen by [`Config::cut_at`] (writes,
//! truncations and syncs, counted from 1 across all files), it puts the un-synced bytes
//! back, all of them or a torn subset, and ends the process with `_exit`: no
//! destructor, checkpoint or close runs, and the files hold what a machine that lost
//! power would find on its disk. (SQLite's shared-memory file is left alone: it is
//! rebuilt from the WAL on the next open, as after a reboot.)
//!
//! Simplifications, each on the side of the disk keeping more: a file exists once
//! created and is gone once deleted (directory entries are taken as durable at once;
//! SQLite syncs the directory after creating a journal), and what a file held when this
//! process first opened it is durable.
//!
//! [`Config::fail`] makes the disk fill up or fail instead: writes past a byte budget
//! answer `SQLITE_FULL` or `SQLITE_IOERR_WRITE` (and syncs `SQLITE_IOERR_FSYNC`).
//!
//! The crash writer (`src/bin/crash-writer.rs`) installs it from its environment
//! ([`install_from_env`]); `tests/tests/power.rs` drives it.

pub mod undo;
mod vfs;

/// The exit status of a process whose power was cut.
pub const CUT_STATUS: i32 = 86;

/// Environment variables read by [`install_from_env`].
pub const CUT_AT_VAR: &str = "ONWARD_POWER_CUT_AT";
pub const TEAR_VAR: &str = "ONWARD_POWER_TEAR_SEED";
pub const FULL_VAR: &str = "ONWARD_DISK_FULL_AFTER";
pub const FAILING_VAR: &str = "ONWARD_DISK_FAILS_AFTER";
pub const ARMED_BY_VAR: &str = "ONWARD_POWER_ARMED_BY";

#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The I/O call at which the power goes; `None`: it never does.
    pub cut_at: Option<u64>,
    /// `None`: the cut loses every write since each file's last fsync. `Some(seed)`: it
    /// loses a random part of them, sector by sector.
    pub tear_seed: Option<u64>,
    pub fail: Option<Failure>,
    /// When set, I/O calls are counted (towards `cut_at`) only from the first
    /// [`arm`] with this name, so that a cut can be aimed into one kind of action.
    pub armed_by: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The disk is full once files have grown by this many bytes: writes that would
    /// grow a file answer `SQLITE_FULL` (overwrites in place still succeed).
    Full { after_bytes: u64 },
    /// The device fails once this many bytes were written: every write and sync after
    /// it answers an I/O error.
    Failing { after_bytes: u64 },
}

/// Registers the VFS as the default. Once per process; later calls change nothing.
pub fn install(config: Config) -> Result<(), String> {
    vfs::register(config)
}

/// The writer is about to do `what` (say, `compact`): when the cut waits for it, I/O
/// calls count from here.
pub fn arm(what: &str) {
    vfs::arm(what)
}

/// Cuts the power now, if the VFS is installed (otherwise returns).
pub fn cut_now() {
    vfs::cut_now()
}

/// Installs the VFS when the environment asks for a power cut or a failing disk;
/// returns whether it did.
pub fn install_from_env() -> Result<bool, String> {
    let number = |name: &str| -> Result<Option<u64>, String> {
        match std::env::var(name) {
            Ok(v) => v
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| format!("{name} must be a number, not {v:?}")),
            Err(_) => Ok(None),
        }
    };
    let fail = match (number(FULL_VAR)?, number(FAILING_VAR)?) {
        (Some(after_bytes), _) => Some(Failure::Full { after_bytes }),
        (None, Some(after_bytes)) => Some(Failure::Failing { after_bytes }),
        (None, None) => None,
    };
    let config = Config {
        cut_at: number(CUT_AT_VAR)?,
        tear_seed: number(TEAR_VAR)?,
        fail,
        armed_by: std::env::var(ARMED_BY_VAR).ok(),
    };
    if config.cut_at.is_none() && config.fail.is_none() {
        return Ok(false);
    }
    install(config).map(|()| true)
}
