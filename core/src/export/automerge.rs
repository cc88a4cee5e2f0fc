//! The raw Automerge document: what other Automerge implementations load as it is
//! (the layout is in `docs/DOCUMENT.md`).

use crate::{Journal, Result};

/// The whole document, compacted, as one `save()`.
pub fn bytes(journal: &mut Journal) -> Result<Vec<u8>> {
    journal.document_bytes()
}
