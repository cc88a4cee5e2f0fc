//! `cargo +nightly fuzz run automerge_merge`: see `onward_core::fuzz_targets::automerge_merge`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| onward_core::fuzz_targets::automerge_merge(data));
