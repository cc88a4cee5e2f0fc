//! `cargo +nightly fuzz run sync_envelope`: see `onward_core::fuzz_targets::sync_envelope`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| onward_core::fuzz_targets::sync_envelope(data));
