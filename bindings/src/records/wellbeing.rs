//! Looking after oneself: mood check-ins, restorative activities, growth goals.

use super::RecordMeta;
use crate::time::{to_system, to_system_opt};
use onward_core::model::{self as core, ActivityCategory, GoalKind, GoalStatus};
use std::time::SystemTime;

/// A quick check-in: how pleasant and how energetic things feel.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Mood {
    pub meta: RecordMeta,
    /// 1 (heavy) to 5 (bright).
    pub valence: u8,
    /// 1 (drained) to 5 (energised).
    pub energy: Option<u8>,
    pub words: Vec<String>,
    pub note: String,
    pub felt_at: SystemTime,
    pub application_id: Option<String>,
    pub rejection_id: Option<String>,
}

impl From<core::Mood> for Mood {
    fn from(m: core::Mood) -> Self {
        Mood {
            meta: m.meta.into(),
            valence: m.valence,
            energy: m.energy,
            words: m.words,
            note: m.note,
            felt_at: to_system(m.felt_at),
            application_id: m.application_id,
            rejection_id: m.rejection_id,
        }
    }
}

/// A restorative activity: the "step back" day after a hard moment.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Activity {
    pub meta: RecordMeta,
    pub category: ActivityCategory,
    pub description: String,
    /// Who it was with, for the social ones.
    pub contact_id: Option<String>,
    pub planned_for: Option<SystemTime>,
    pub done_at: Option<SystemTime>,
    pub mood_before: Option<u8>,
    pub mood_after: Option<u8>,
}

impl From<core::Activity> for Activity {
    fn from(a: core::Activity) -> Self {
        Activity {
            meta: a.meta.into(),
            category: a.category,
            description: a.description,
            contact_id: a.contact_id,
            planned_for: to_system_opt(a.planned_for),
            done_at: to_system_opt(a.done_at),
            mood_before: a.mood_before,
            mood_after: a.mood_after,
        }
    }
}

/// A growth goal: the "move forward" step, often born from feedback or a reflection.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Goal {
    pub meta: RecordMeta,
    pub kind: GoalKind,
    pub title: String,
    /// The record it grew from.
    pub origin_id: Option<String>,
    pub status: GoalStatus,
    pub due: Option<SystemTime>,
    /// Percent, 0 to 100.
    pub progress: u8,
    pub notes: String,
}

impl From<core::Goal> for Goal {
    fn from(g: core::Goal) -> Self {
        Goal {
            meta: g.meta.into(),
            kind: g.kind,
            title: g.title,
            origin_id: g.origin_id,
            status: g.status,
            due: to_system_opt(g.due),
            progress: g.progress,
            notes: g.notes,
        }
    }
}
