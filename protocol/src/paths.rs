//! The relay's routes. `{journal}`, `{batch}`, `{snapshot}`, `{device}` are ids, `{index}`
//! a part index. The relay routes by these templates; a device fills them in.

pub const HEALTH: &str = "/v1/health";
pub const OPENAPI: &str = "/v1/openapi.json";
pub const JOURNAL: &str = "/v1/journals/{journal}";
pub const BATCHES: &str = "/v1/journals/{journal}/batches";
pub const BATCH: &str = "/v1/journals/{journal}/batches/{batch}";
pub const SNAPSHOT_PART: &str = "/v1/journals/{journal}/snapshots/{snapshot}/parts/{index}";
pub const DEVICES: &str = "/v1/journals/{journal}/devices";
pub const DEVICE: &str = "/v1/journals/{journal}/devices/{device}";
pub const MEMBERS: &str = "/v1/journals/{journal}/members";
pub const WRAPS: &str = "/v1/journals/{journal}/wraps";
pub const INVITATION: &str = "/v1/journals/{journal}/invitations/{invitation}";
pub const INVITATION_ACCEPT: &str = "/v1/journals/{journal}/invitations/{invitation}/accept";
pub const RESTORE: &str = "/v1/journals/{journal}/restore";

/// The path of a journal, for a device: `/v1/journals/<journal>`.
pub fn journal(journal: &str) -> String {
    JOURNAL.replace("{journal}", journal)
}
