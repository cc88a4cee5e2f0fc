//! onward-ffi: the Onward journal for Kotlin, Swift and Python, through uniffi.
//!
//! A thin facade over `onward-core`: one [`Journal`] object, records for what it holds,
//! the core's enums for kinds and stages, one error type ([`OnwardError`]) and an
//! observer the app implements ([`JournalObserver`]), and sync with the person's other
//! devices through a relay (`enable_sync`, `invite_device`, `preview_invitation`,
//! `join_sync`, `devices`, `remove_device`, `sync_now`, background sync reporting to a
//! [`SyncObserver`]), each device with keys of its own kept in the app's
//! [`SecretStore`]. Domain logic stays in the core, and so do the rules the apps
//! follow: what Today shows (`today`), what to notify (`notifications`), the stage
//! order (`stages`, `stages_after`), titles, `limits()` and the names people see
//! (`stage_label` and the other labels).
//! Every journal call is blocking: call it off the UI thread.

uniffi::setup_scaffolding!();

mod background_sync;
mod clock;
mod device_records;
mod devices;
mod edits;
mod error;
mod insights;
mod journal;
mod kinds;
mod labels;
mod listing;
mod notify;
mod observer;
mod quick_log;
mod records;
mod reminders;
mod rules;
mod secret_store;
mod sync;
mod sync_records;
mod tidy;
mod time;
mod today;

pub use background_sync::{SyncHandle, SyncObserver, SyncState};
pub use clock::JournalClock;
pub use device_records::{
    DeviceInfo, Invitation, InvitationPreview, RelayCopyDeleted, RemovedDevice,
};
pub use edits::{ApplicationEdit, EntryEdit, GoalEdit};
pub use error::OnwardError;
pub use insights::{FunnelStage, Insights, MoodWeek, WeekEffort};
pub use journal::{prompts, ImportSummary, Journal};
pub use kinds::*;
pub use labels::*;
pub use listing::{Link, RecordDetail, SearchHit, TimelineItem, TimelineQuery};
pub use notify::{Notice, Notifications, PostedNotice};
pub use observer::{JournalChange, JournalObserver, ObserverHandle};
pub use quick_log::{
    NewActivity, NewApplication, NewEntry, NewGoal, NewInterview, NewMood, NewRejection,
};
pub use records::*;
pub use reminders::Reminder;
pub use rules::{application_title, limits, stages, stages_after, Bounds, Limits};
pub use secret_store::{SecretStore, SecretStoreError};
pub use sync_records::{RefusedBatch, SyncPhase, SyncProgress, SyncReport, SyncStatus};
pub use today::Today;
