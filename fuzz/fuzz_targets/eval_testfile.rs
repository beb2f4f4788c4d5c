//! Bytes → a test file → every case's stack and request through the evaluator's invariants
//! (`polsim_proptest::invariants::check`): seeded from the corpora, so it starts from stacks
//! people wrote.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    polsim_fuzz::test_file_invariants(data);
});
