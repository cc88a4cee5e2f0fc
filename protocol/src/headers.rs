//! Header names and media types (docs/SYNC.md, "HTTP API"). Lower case, as HTTP/2 and
//! the `http` crate's `HeaderName::from_static` want them.

/// A pull answer's media type.
pub const BATCHES_CONTENT_TYPE: &str = "application/vnd.onward.batches";

/// The journal's highest sequence number (pull answers).
pub const LATEST_SEQ: &str = "onward-latest-seq";

/// Batches through this number were replaced by a snapshot (pull answers).
pub const PRUNED_THROUGH: &str = "onward-pruned-through";

/// The journal's incarnation: random, given when the journal was created. A journal
/// deleted and created again has a new one (pull answers and `GET` of the journal).
pub const INCARNATION: &str = "onward-incarnation";

/// The id of the batch numbered `after` in a pull (empty for `after=0`): the device
/// checks it against the batch it merged there, so a relay restored from an older
/// backup, whose later numbers went to other batches, is noticed.
pub const AFTER_ID: &str = "onward-after-id";

/// A member's Ed25519 signature (hex) over a request that changes the whole journal
/// (`DELETE` of a journal, its restore): see `members::request_message`.
pub const SIGNATURE: &str = "onward-signature";

/// Request header of a journal's creation on a relay run with `--registration token`: the
/// token its operator handed out (docs/SYNC.md, "Abuse limits").
pub const REGISTRATION: &str = "onward-registration";
