//! Where a journal's sync stands, after a real check with the relay: "in sync" only
//! when the relay's latest batch is the cursor, nothing is pending and no merged change
//! waits for a dependency.

use super::session::Session;
use super::state::RefusedBatch;
use crate::Result;
use chrono::{DateTime, Utc};

/// A journal's sync, as checked just now.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SyncStatus {
    pub relay_url: String,
    pub journal_id: String,
    pub cursor: u64,
    /// The relay's latest sequence number; `None` when it couldn't be asked.
    pub relay_latest: Option<u64>,
    /// Changes here that the relay doesn't have yet.
    pub pending_changes: usize,
    /// Pulled batches whose changes wait for a change they depend on.
    pub waiting_batches: usize,
    pub refused: Vec<RefusedBatch>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Why the relay couldn't be asked (offline, refused), when it couldn't.
    pub unreachable: Option<String>,
    pub in_sync: bool,
}

impl SyncStatus {
    /// One line: "In sync.", or what stands in the way.
    pub fn summary(&self) -> String {
        if self.in_sync {
            return "In sync.".into();
        }
        let mut parts = Vec::new();
        if self.unreachable.is_some() {
            parts.push("couldn't check with the relay".to_string());
        }
        if self.last_success_at.is_none() && self.cursor == 0 {
            parts.push("never synced".to_string());
        }
        match self.pending_changes {
            0 => {}
            1 => parts.push("1 change to push".into()),
            n => parts.push(format!("{n} changes to push")),
        }
        if let Some(latest) = self.relay_latest {
            if latest > self.cursor {
                parts.push("the relay has newer changes".into());
            }
        }
        if self.waiting_batches > 0 {
            parts.push("some changes wait for others still to come".into());
        }
        if parts.is_empty() {
            parts.push("not checked".into());
        }
        let line = parts.join(", ");
        let mut chars = line.chars();
        let first = chars.next().map(|c| c.to_uppercase().to_string());
        format!("{}{}.", first.unwrap_or_default(), chars.as_str())
    }
}

pub(crate) async fn check(s: &Session<'_>) -> Result<SyncStatus> {
    let answer = s.client.info().await;
    s.with(|j| {
        let settings = j.sync_enabled()?;
        let pending_changes = j.pending_changes()?.len();
        let waiting_batches = j.waiting_batches()?;
        let (relay_latest, unreachable) = match &answer {
            Ok(info) => (Some(info.latest_seq), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let in_sync =
            relay_latest == Some(settings.cursor) && pending_changes == 0 && waiting_batches == 0;
        Ok(SyncStatus {
            relay_url: settings.relay_url,
            journal_id: s.keys.journal_id().to_string(),
            cursor: settings.cursor,
            relay_latest,
            pending_changes,
            waiting_batches,
            refused: j.refused_batches()?,
            last_success_at: settings.last_success_at,
            last_error: settings.last_error.map(|(e, _)| e),
            unreachable,
            in_sync,
        })
    })
}
