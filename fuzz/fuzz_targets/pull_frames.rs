//! `cargo +nightly fuzz run pull_frames`: see `onward_core::fuzz_targets::pull_frames`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    onward_core::fuzz_targets::pull_frames(data);
});
