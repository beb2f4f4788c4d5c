//! Bytes → `testfile::parse_test_file` (with a reader that refuses every path); each case that
//! reads is evaluated and checked against its expectations (`testfile::check`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    polsim_fuzz::parse_test_file(data);
});
