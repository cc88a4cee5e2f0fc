//! `cargo +nightly fuzz run journal_file`: see `onward_core::fuzz_targets::journal_file`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    onward_core::fuzz_targets::journal_file(data);
});
