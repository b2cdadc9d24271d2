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
