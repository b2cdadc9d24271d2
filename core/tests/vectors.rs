//! Runs every shared vector (SPEC §10) through the Rust API: `tests/vectors/*.json` and the files in
//! `$JOURNEY_EXTRA_VECTORS`. A failure names the file, the step and the mismatching path.

mod common;

#[test]
fn shared_vectors() {
    journey_vectors::run_all::<common::RustApi>(common::repo_root());
}

#[test]
fn vectors_cover_every_violation_code() {
    let mut text = String::new();
    for file in journey_vectors::vector_files(common::repo_root()) {
        text.push_str(&std::fs::read_to_string(file).unwrap());
    }
    let catalog_only = [journey_core::ViolationCode::InvalidCatalog, journey_core::ViolationCode::LimitExceeded];
    let missing: Vec<&str> = journey_core::ViolationCode::ALL
        .iter()
        .filter(|code| !catalog_only.contains(code))
        .map(|code| code.as_str())
        .filter(|code| !text.contains(&format!("\"{code}\"")))
        .collect();
    assert!(missing.is_empty(), "no vector expects {missing:?}");
}
