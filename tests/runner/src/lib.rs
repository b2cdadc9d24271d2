//! The shared-vector harness of SPEC §10, independent of the front door it drives.
//!
//! A front door (the Rust API, the C ABI, …) implements [`Target`]: make an engine from a vector's
//! catalog and config, and run one op on it. The harness does the rest: finding the files
//! (`tests/vectors/` and `$JOURNEY_EXTRA_VECTORS`), `$name` substitution, `save`, subset matching, and
//! failures that name the file, the step and the mismatching path.

use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One front door of libjourney, driven by the vectors.
pub trait Target: Sized {
    /// Makes an engine for one vector.
    fn new(catalog: &Value, config: &Value) -> Result<Self, String>;
    /// Runs one op. `Err` carries the error's JSON form, `{"code", "message", …}`.
    fn call(&mut self, op: &str, input: &Value) -> Result<Value, Value>;
    /// The `reopen` step: close the engine and open its store again. An engine with no store has
    /// nothing to reopen, so the default does nothing, and the steps after it must pass either way.
    fn reopen(&mut self) -> Result<(), String> {
        Ok(())
    }
}

/// The op that closes and reopens a durable engine (SPEC §11); the harness runs it, not the engine.
pub const REOPEN: &str = "reopen";

/// Every vector file: `tests/vectors/*.json` under `repo_root`, then the files in
/// `$JOURNEY_EXTRA_VECTORS`.
pub fn vector_files(repo_root: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![repo_root.join("tests/vectors")];
    if let Some(extra) = std::env::var_os("JOURNEY_EXTRA_VECTORS").filter(|v| !v.is_empty()) {
        dirs.push(PathBuf::from(extra));
    }
    let mut files = Vec::new();
    for dir in dirs {
        let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read vector directory {}: {e}", dir.display()))
            .map(|entry| entry.expect("directory entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        found.sort();
        files.extend(found);
    }
    files
}

/// Runs every vector file against `T`; panics with every failure, each naming file, step and path.
pub fn run_all<T: Target>(repo_root: &Path) {
    let files = vector_files(repo_root);
    assert!(!files.is_empty(), "no vector files found");
    let mut failures = Vec::new();
    let mut steps = 0;
    for file in &files {
        match run_vector::<T>(file) {
            Ok(count) => steps += count,
            Err(detail) => failures.push(format!("{}: {detail}", file.display())),
        }
    }
    assert!(failures.is_empty(), "{} of {} vector files failed:\n{}", failures.len(), files.len(), failures.join("\n"));
    eprintln!("{} vector files, {steps} steps passed", files.len());
}

/// Reads a vector file.
pub fn load(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))
}

/// A new target for `vector`, from its catalog and config.
pub fn target_for<T: Target>(vector: &Value) -> Result<T, String> {
    T::new(&vector["catalog"], vector.get("config").unwrap_or(&Value::Null))
}

/// Runs one vector file; `Err` names the step index and the mismatching path.
pub fn run_vector<T: Target>(path: &Path) -> Result<usize, String> {
    let vector = load(path)?;
    let mut target = target_for::<T>(&vector)?;
    run_steps(&vector, &mut target).map(|_| vector["steps"].as_array().map_or(0, Vec::len))
}

/// Runs a vector's steps on `target`; returns the values saved by name.
pub fn run_steps<T: Target>(vector: &Value, target: &mut T) -> Result<HashMap<String, Value>, String> {
    let steps = vector["steps"].as_array().ok_or("no steps array")?;
    let mut saved: HashMap<String, Value> = HashMap::new();
    for (index, step) in steps.iter().enumerate() {
        let op = step["op"].as_str().ok_or_else(|| format!("step {index}: no op"))?;
        let input = substitute(step.get("input").unwrap_or(&Value::Null), &saved);
        let context = |detail: String| format!("step {index} ({op}): {detail}");
        if op == REOPEN {
            target.reopen().map_err(|e| context(format!("reopen failed: {e}")))?;
            continue;
        }
        let result = target.call(op, &input);
        if let Some(expect) = step.get("expect") {
            let expect = substitute(expect, &saved);
            let actual = match (&result, expect.get("error")) {
                (Ok(value), None) => value.clone(),
                (Err(error), Some(_)) => json!({ "error": error }),
                (Ok(value), Some(_)) => return Err(context(format!("expected an error, got {value}"))),
                (Err(error), None) => return Err(context(format!("unexpected error {error}"))),
            };
            subset_match(&expect, &actual, "").map_err(|detail| context(format!("{detail}\n  actual: {actual}")))?;
        } else if let Err(error) = &result {
            return Err(context(format!("unexpected error {error}")));
        }
        if let (Some(save), Ok(value)) = (step.get("save").and_then(Value::as_object), &result) {
            for (name, pointer) in save {
                let pointer = pointer.as_str().ok_or_else(|| context(format!("save '{name}' needs a pointer")))?;
                let found = value.pointer(pointer).ok_or_else(|| context(format!("nothing at {pointer} to save")))?;
                saved.insert(name.clone(), found.clone());
            }
        }
    }
    Ok(saved)
}

/// Replaces every string `"$name"` with the value saved under `name`.
pub fn substitute(value: &Value, saved: &HashMap<String, Value>) -> Value {
    match value {
        Value::String(s) => match s.strip_prefix('$').and_then(|name| saved.get(name)) {
            Some(found) => found.clone(),
            None => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(|v| substitute(v, saved)).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), substitute(v, saved))).collect::<Map<_, _>>())
        }
        other => other.clone(),
    }
}

/// Subset match of SPEC §10: every key given must be present and equal; arrays match element-wise
/// and must have the same length. Numbers compare by value (`1` equals `1.0`).
pub fn subset_match(expected: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(want), Value::Object(have)) => {
            for (key, value) in want {
                let here = format!("{path}/{key}");
                let found = have.get(key).ok_or_else(|| format!("missing {here}"))?;
                subset_match(value, found, &here)?;
            }
            Ok(())
        }
        (Value::Array(want), Value::Array(have)) => {
            if want.len() != have.len() {
                return Err(format!("{path}: expected {} items, got {}", want.len(), have.len()));
            }
            want.iter().zip(have).enumerate().try_for_each(|(i, (w, h))| subset_match(w, h, &format!("{path}/{i}")))
        }
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => Ok(()),
        (a, b) if a == b => Ok(()),
        (a, b) => Err(format!("{}: expected {a}, got {b}", if path.is_empty() { "/" } else { path })),
    }
}

/// Runs the bad-input catalogue (`tests/bad_inputs.json`, written by
/// `tools/vectors/bad_inputs.py`) against `T`: each case must get its typed answer (an error code,
/// or a rejected outcome naming the violation code), and after each case the engine must still
/// work: a good event is accepted once (then a duplicate) and the journey reads. Returns the
/// number of cases; panics with every failure.
pub fn run_bad_inputs<T: Target>(repo_root: &Path) -> usize {
    let catalogue = load(&repo_root.join("tests/bad_inputs.json")).expect("tests/bad_inputs.json");
    let cases = catalogue["cases"].as_array().expect("cases");
    let mut target = target_for::<T>(&catalogue).expect("the catalogue's catalog and config are valid");
    let mut failures = Vec::new();
    for (n, case) in cases.iter().enumerate() {
        if let Err(detail) = bad_input_case(&mut target, &catalogue, case, n == 0) {
            failures.push(format!("{}: {detail}", case["name"]));
        }
    }
    assert!(failures.is_empty(), "{} of {} bad inputs failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
    cases.len()
}

fn bad_input_case<T: Target>(target: &mut T, catalogue: &Value, case: &Value, first: bool) -> Result<(), String> {
    let op = case["op"].as_str().ok_or("a case needs an op")?;
    let answer = target.call(op, &case["input"]);
    match (&case["error"], &case["rejected"], answer) {
        (Value::String(code), _, Err(error)) if error["code"] == *code => {}
        (Value::String(code), _, other) => return Err(format!("expected error {code}, got {other:?}")),
        (_, Value::String(code), Ok(outcome))
            if outcome["status"] == "rejected" && outcome["violations"][0]["code"] == *code => {}
        (_, Value::String(code), other) => return Err(format!("expected a rejection {code}, got {other:?}")),
        _ => return Err("a case needs \"error\" or \"rejected\"".into()),
    }
    // The engine still works: the good event is accepted the first time, a duplicate after.
    let good = target.call("ingest", &catalogue["good"]).map_err(|e| format!("then a good event failed: {e}"))?;
    let expected = if first { "accepted" } else { "duplicate" };
    if good["status"] != expected {
        return Err(format!("then a good event was {}, not {expected}", good["status"]));
    }
    let query = json!({"customer": catalogue["customer"], "viewer": catalogue["viewer"]});
    let page = target.call("journey", &query).map_err(|e| format!("then the journey failed: {e}"))?;
    match page["entities"].as_array().map(Vec::len) {
        Some(1) => Ok(()),
        other => Err(format!("then the journey listed {other:?} sessions, not 1")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subset_match_reports_the_path() {
        let err = subset_match(&json!({"a": [{"b": 1}]}), &json!({"a": [{"b": 2}]}), "").unwrap_err();
        assert!(err.contains("/a/0/b"), "{err}");
        assert!(subset_match(&json!({"a": [1]}), &json!({"a": [1, 2]}), "").is_err());
        assert!(subset_match(&json!({"a": 1}), &json!({"a": 1.0, "b": 2}), "").is_ok());
        assert!(subset_match(&json!({"a": null}), &json!({}), "").is_err());
    }

    #[test]
    fn substitute_replaces_whole_strings_only() {
        let saved = HashMap::from([("id".to_owned(), json!(7))]);
        assert_eq!(substitute(&json!({"x": ["$id", "$other", "a$id"]}), &saved), json!({"x": [7, "$other", "a$id"]}));
    }
}
