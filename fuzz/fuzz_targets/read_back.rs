//! Arbitrary bytes as a document to read back: the first byte picks feed.xml,
//! atom.xml or feed.json (see `fuzz/harness.rs`).
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness::read_back_target(data);
});
