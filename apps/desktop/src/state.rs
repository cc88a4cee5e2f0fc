//! What the server holds: the one journal (behind a mutex, used on blocking threads),
//! this run's secrets, and the channels that tell pages about changes and shutdown.

use crate::screens::import::Checked;
use onward_core::Journal;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{broadcast, watch};

/// The desk's shared state; cheap to clone.
#[derive(Clone)]
pub struct Desk {
    inner: Arc<Inner>,
}

struct Inner {
    journal: Mutex<Journal>,
    port: u16,
    /// In the address printed and opened; exchanged once for the session cookie, then
    /// gone (a copied or logged address lets nobody else in afterwards).
    launch_token: Mutex<Option<String>>,
    /// The session cookie's value.
    session: String,
    /// Carried by every write, from the page.
    csrf: String,
    /// The file last checked on the import page, waiting for the person's yes.
    import: Mutex<Option<Checked>>,
    changes: broadcast::Sender<()>,
    stop: watch::Sender<bool>,
}

/// Why a request could not be answered from the journal.
pub enum Trouble {
    Journal(onward_core::Error),
    /// The blocking task did not finish (the server is stopping).
    Gone,
}

impl From<onward_core::Error> for Trouble {
    fn from(e: onward_core::Error) -> Self {
        Trouble::Journal(e)
    }
}

impl Desk {
    pub fn new(mut journal: Journal, port: u16) -> Desk {
        let (changes, _) = broadcast::channel(16);
        let heard = changes.clone();
        // Writes through this server; other processes' writes are noticed by `live`.
        journal.observe(Arc::new(move |_| {
            let _ = heard.send(());
        }));
        let desk = Desk {
            inner: Arc::new(Inner {
                journal: Mutex::new(journal),
                port,
                launch_token: Mutex::new(None),
                session: random_token(),
                csrf: random_token(),
                import: Mutex::new(None),
                changes,
                stop: watch::channel(false).0,
            }),
        };
        crate::live::watch_file(desk.clone());
        crate::tidy::tidy_after_changes(desk.clone());
        desk
    }

    pub fn port(&self) -> u16 {
        self.inner.port
    }

    /// A new address to open, carrying a new launch token; an earlier unused one no
    /// longer works.
    pub fn new_opening_url(&self) -> String {
        let token = random_token();
        let url = format!("http://127.0.0.1:{}/?token={token}", self.inner.port);
        *self.launch_token() = Some(token);
        url
    }

    /// True once: when `given` is the launch token and it has not been used yet.
    pub fn use_launch_token(&self, given: &str, same: impl Fn(&str, &str) -> bool) -> bool {
        let mut token = self.launch_token();
        let fits = token.as_deref().is_some_and(|secret| same(given, secret));
        if fits {
            *token = None;
        }
        fits
    }

    fn launch_token(&self) -> MutexGuard<'_, Option<String>> {
        lock(&self.inner.launch_token)
    }

    pub fn session(&self) -> &str {
        &self.inner.session
    }

    pub fn csrf(&self) -> &str {
        &self.inner.csrf
    }

    /// The journal, even after a panic elsewhere poisoned the lock (a write is atomic
    /// in SQLite, so the handle is still sound).
    pub fn journal(&self) -> MutexGuard<'_, Journal> {
        lock(&self.inner.journal)
    }

    /// The journal's lock itself, for the core's sync steps, which take it as they go.
    pub fn journal_mutex(&self) -> &Mutex<Journal> {
        &self.inner.journal
    }

    /// Runs `work` on the journal on a blocking thread.
    pub async fn with_journal<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Journal) -> onward_core::Result<T> + Send + 'static,
    ) -> Result<T, Trouble> {
        let desk = self.clone();
        tokio::task::spawn_blocking(move || work(&mut desk.journal()))
            .await
            .map_err(|_| Trouble::Gone)?
            .map_err(Trouble::Journal)
    }

    /// Keeps a checked import for the yes; an earlier one is dropped.
    pub fn hold_import(&self, checked: Checked) {
        *lock(&self.inner.import) = Some(checked);
    }

    /// The checked import named `id`, once.
    pub fn take_import(&self, id: &str) -> Option<Checked> {
        let mut held = lock(&self.inner.import);
        if held.as_ref().is_some_and(|c| c.id == id) {
            held.take()
        } else {
            None
        }
    }

    /// Tells open pages the journal changed.
    pub fn changed(&self) {
        let _ = self.inner.changes.send(());
    }

    pub fn changes(&self) -> broadcast::Receiver<()> {
        self.inner.changes.subscribe()
    }

    pub fn stopping(&self) -> Stopping {
        Stopping(self.inner.stop.clone())
    }

    /// Becomes true when the server stops (long-lived responses end then).
    pub fn stopped(&self) -> watch::Receiver<bool> {
        self.inner.stop.subscribe()
    }
}

/// Stops the desk's long-lived work when the server shuts down.
pub struct Stopping(watch::Sender<bool>);

impl Stopping {
    pub fn stop(&self) {
        let _ = self.0.send(true);
    }
}

/// A lock even after a panic elsewhere poisoned it (what it guards is replaced whole).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// 32 random bytes in hex. Without the system's randomness there is no safe token, so
/// the process cannot go on: this runs before any request is served.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    if let Err(e) = getrandom::fill(&mut bytes) {
        eprintln!("error: this system gave no randomness for the session token: {e}");
        std::process::exit(1);
    }
    hex::encode(bytes)
}
