//! `cargo +nightly fuzz run csv_import`: see `onward_core::fuzz_targets::csv_import`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| onward_core::fuzz_targets::csv_import(data));
