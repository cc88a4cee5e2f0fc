//! `cargo +nightly fuzz run wrapped_key`: see `onward_core::fuzz_targets::wrapped_key`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| onward_core::fuzz_targets::wrapped_key(data));
