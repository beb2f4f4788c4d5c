//! Bytes → `json::parse` → `lower_policy` for every layer, in the Aws dialect; what lowers
//! is evaluated once, explain on and off (the verdicts must agree, and reports never panic).
#![no_main]

use libfuzzer_sys::fuzz_target;
use polsim_core::Cloud;

fuzz_target!(|data: &[u8]| {
    polsim_fuzz::lower_every_layer(data, Cloud::Aws);
});
