//! The bad-input catalogue (`tests/bad_inputs.json`) through the Rust API's one dispatcher: every
//! case gets its typed error and the engine works after it. The same file runs in C, Python and
//! Node.

mod common;

#[test]
fn every_bad_input_gets_its_typed_answer_and_loses_nothing() {
    let cases = journey_vectors::run_bad_inputs::<common::RustApi>(common::repo_root());
    assert!(cases >= 40, "the catalogue has {cases} cases");
}
