//! Test fixtures: a relay on loopback over either backend, a PostgreSQL server of its own,
//! and a small HTTP client that speaks docs/SYNC.md (frames decoded independently of the relay).

#![allow(dead_code)] // each test binary uses part of the support code

pub mod backup;
pub mod client;
pub mod postgres;
pub mod process;
pub mod relay;
pub mod sqlite_copy;

/// What each stored row (batch, snapshot part, device record) counts against the quota
/// on top of its bytes.
pub const ROW: u64 = onward_protocol::limits::QUOTA_ROW_OVERHEAD_BYTES;

/// Instantiates each async test `fn name(backend: Backend)` once per backend, as
/// `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::support::relay::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::support::relay::Backend::Postgres).await
                }
            }
        )*
    };
}
