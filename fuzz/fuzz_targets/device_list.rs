//! `cargo +nightly fuzz run device_list`: see `onward_core::fuzz_targets::device_list`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| onward_core::fuzz_targets::device_list(data));
