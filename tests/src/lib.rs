//! Shared helpers for the cross-crate scenario tests.
