//! `cargo +nightly fuzz run invitation_answer`: see
//! `onward_core::fuzz_targets::invitation_answer`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    onward_core::fuzz_targets::invitation_answer(data);
});
