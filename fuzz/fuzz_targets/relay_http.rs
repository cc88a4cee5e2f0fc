//! `cargo +nightly fuzz run relay_http`: see `onward_relay::fuzz_targets::http_request`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| onward_relay::fuzz_targets::http_request(data));
