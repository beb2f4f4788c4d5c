//! `arbitrary` bytes → a multi-layer stack and a request over one cloud's vocabulary (the
//! grammar the property tests use) → the evaluator's invariants. Bytes → JSON is too sparse to
//! reach most decisions; this reaches them for all three clouds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut u = arbitrary::Unstructured::new(data);
    if let Ok((cloud, case)) = polsim_fuzz::grammar_case(&mut u) {
        polsim_fuzz::grammar_invariants(cloud, &case);
    }
});
