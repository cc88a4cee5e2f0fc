//! A quick check-in: how pleasant and how energetic things feel, in a tap or two.

use super::{check_scale, entity_meta, Entity, Meta};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mood {
    #[serde(flatten)]
    pub meta: Meta,
    /// 1 (heavy) to 5 (bright).
    pub valence: u8,
    /// 1 (drained) to 5 (energised).
    pub energy: Option<u8>,
    #[serde(default)]
    pub words: Vec<String>,
    pub note: String,
    pub felt_at: DateTime<Utc>,
    pub application_id: Option<String>,
    pub rejection_id: Option<String>,
}

impl Mood {
    pub fn new(valence: u8, now: DateTime<Utc>) -> Mood {
        Mood {
            meta: Meta::new(now),
            valence,
            energy: None,
            words: Vec::new(),
            note: String::new(),
            felt_at: now,
            application_id: None,
            rejection_id: None,
        }
    }
}

entity_meta!(Mood, Mood);

impl Entity for Mood {
    fn occurred_at(&self) -> DateTime<Utc> {
        self.felt_at
    }

    fn title(&self) -> String {
        let mut title = format!("Mood {}/5", self.valence);
        if let Some(energy) = self.energy {
            title.push_str(&format!(", energy {energy}/5"));
        }
        if !self.words.is_empty() {
            title.push_str(&format!(" · {}", self.words.join(", ")));
        }
        title
    }

    fn validate(&self) -> crate::Result<()> {
        check_scale("valence", Some(self.valence))?;
        check_scale("energy", self.energy)
    }
}
