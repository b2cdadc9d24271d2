//! Runs every shared vector (SPEC §10) through the Rust API: `tests/vectors/*.json` and the files in
//! `$JOURNEY_EXTRA_VECTORS`. A failure names the file, the step and the mismatching path.

mod common;

#[test]
fn shared_vectors() {
    let files = common::vector_files();
    assert!(!files.is_empty(), "no vector files found");
    let mut failures = Vec::new();
    let mut steps = 0;
    for file in &files {
        match common::run_vector(file) {
            Ok(count) => steps += count,
            Err(detail) => failures.push(format!("{}: {detail}", file.display())),
        }
    }
    assert!(failures.is_empty(), "{} of {} vector files failed:\n{}", failures.len(), files.len(), failures.join("\n"));
    eprintln!("{} vector files, {steps} steps passed", files.len());
}

#[test]
fn subset_match_reports_the_path() {
    use serde_json::json;
    let err = common::subset_match(&json!({"a": [{"b": 1}]}), &json!({"a": [{"b": 2}]}), "").unwrap_err();
    assert!(err.contains("/a/0/b"), "{err}");
    assert!(common::subset_match(&json!({"a": [1]}), &json!({"a": [1, 2]}), "").is_err());
    assert!(common::subset_match(&json!({"a": 1}), &json!({"a": 1.0, "b": 2}), "").is_ok());
}

#[test]
fn vectors_cover_every_violation_code() {
    let mut text = String::new();
    for file in common::vector_files() {
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
