//! `cargo +nightly fuzz run pairing_code`: see `onward_core::fuzz_targets::pairing_code`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| onward_core::fuzz_targets::pairing_code(data));
