//! `cargo +nightly fuzz run json_import`: see `onward_core::fuzz_targets::json_import`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| onward_core::fuzz_targets::json_import(data));
