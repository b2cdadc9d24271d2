//! Python values ↔ JSON values. Dicts, lists, tuples, str, int, float, bool and None map to their
//! JSON counterparts; anything else is a `TypeError` naming the type.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

/// Deepest nesting accepted: a list that contains itself must fail, not overflow the stack.
const MAX_DEPTH: usize = 128;

/// Converts a Python value to JSON.
pub fn to_json(value: &Bound<'_, PyAny>) -> PyResult<Value> {
    to_json_at(value, 0)
}

fn to_json_at(value: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(PyValueError::new_err(format!("value is nested more than {MAX_DEPTH} levels deep")));
    }
    if value.is_none() {
        Ok(Value::Null)
    } else if let Ok(b) = value.cast::<PyBool>() {
        Ok(Value::Bool(b.is_true()))
    } else if let Ok(i) = value.cast::<PyInt>() {
        if let Ok(n) = i.extract::<i64>() {
            Ok(Value::from(n))
        } else if let Ok(n) = i.extract::<u64>() {
            Ok(Value::from(n))
        } else {
            Err(PyValueError::new_err("integer does not fit in 64 bits"))
        }
    } else if let Ok(f) = value.cast::<PyFloat>() {
        Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| PyValueError::new_err("NaN and infinities are not valid JSON"))
    } else if let Ok(s) = value.cast::<PyString>() {
        Ok(Value::String(s.to_cow()?.into_owned()))
    } else if let Ok(dict) = value.cast::<PyDict>() {
        let mut map = Map::new();
        for (key, item) in dict.iter() {
            let key = key
                .cast::<PyString>()
                .map_err(|_| PyTypeError::new_err(format!("dict keys must be str, not {}", type_name(&key))))?;
            map.insert(key.to_cow()?.into_owned(), to_json_at(&item, depth + 1)?);
        }
        Ok(Value::Object(map))
    } else if let Ok(list) = value.cast::<PyList>() {
        list.iter().map(|item| to_json_at(&item, depth + 1)).collect::<PyResult<_>>().map(Value::Array)
    } else if let Ok(tuple) = value.cast::<PyTuple>() {
        tuple.iter().map(|item| to_json_at(&item, depth + 1)).collect::<PyResult<_>>().map(Value::Array)
    } else {
        Err(PyTypeError::new_err(format!("cannot convert {} to JSON", type_name(value))))
    }
}

/// Converts JSON to Python: dicts, lists, str, int, float, bool and None.
pub fn to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any(),
            (None, Some(u)) => u.into_pyobject(py)?.into_any(),
            _ => PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any(),
        },
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            PyList::new(py, items.iter().map(|item| to_python(py, item)).collect::<PyResult<Vec<_>>>()?)?.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (key, item) in map {
                dict.set_item(key, to_python(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

/// The Python type name of `value`, for messages.
pub fn type_name(value: &Bound<'_, PyAny>) -> String {
    value.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "object".to_owned())
}

/// An outcome as a dict, built directly: a batch of a million events returns a million outcomes,
/// and going through `serde_json::Value` cost more than the ingest itself. The keys are interned.
/// Rejections, which are rare and carry violations, take the generic path.
pub fn outcome_to_python<'py>(py: Python<'py>, outcome: &journey_core::Outcome) -> PyResult<Bound<'py, PyAny>> {
    use journey_core::Outcome;
    use pyo3::intern;
    let mut buffer = uuid_buffer();
    let mut uuid = |id: &uuid::Uuid| PyString::new(py, id.hyphenated().encode_lower(&mut buffer)).into_any();
    let dict = PyDict::new(py);
    match outcome {
        Outcome::Accepted {
            event_id,
            session_id,
            session_created,
            event_count,
            event_index,
            warnings,
            identity_warnings,
        } if warnings.is_empty() && identity_warnings.is_empty() => {
            dict.set_item(intern!(py, "status"), intern!(py, "accepted"))?;
            dict.set_item(intern!(py, "eventId"), uuid(event_id))?;
            dict.set_item(intern!(py, "sessionId"), uuid(session_id))?;
            dict.set_item(intern!(py, "sessionCreated"), *session_created)?;
            dict.set_item(intern!(py, "eventCount"), *event_count)?;
            dict.set_item(intern!(py, "eventIndex"), *event_index)?;
            dict.set_item(intern!(py, "warnings"), PyList::empty(py))?;
        }
        Outcome::Duplicate { event_id, session_id } => {
            dict.set_item(intern!(py, "status"), intern!(py, "duplicate"))?;
            dict.set_item(intern!(py, "eventId"), uuid(event_id))?;
            dict.set_item(intern!(py, "sessionId"), uuid(session_id))?;
        }
        other => return to_python(py, &other.to_json()),
    }
    Ok(dict.into_any())
}

/// A batch result as a dict: `{"outcomes", "accepted", "duplicates", "rejected"}`.
pub fn batch_to_python<'py>(py: Python<'py>, batch: &journey_core::BatchOutcome) -> PyResult<Bound<'py, PyAny>> {
    let outcomes = {
        let _paused = GcPause::new(py)?;
        batch.outcomes.iter().map(|o| outcome_to_python(py, o)).collect::<PyResult<Vec<_>>>()?
    };
    let dict = PyDict::new(py);
    dict.set_item("outcomes", PyList::new(py, outcomes)?)?;
    dict.set_item("accepted", batch.accepted)?;
    dict.set_item("duplicates", batch.duplicates)?;
    dict.set_item("rejected", batch.rejected)?;
    Ok(dict.into_any())
}

fn uuid_buffer() -> [u8; 45] {
    uuid::Uuid::encode_buffer()
}

/// Python's cyclic garbage collector, paused while a batch's outcomes are built. Each outcome dict
/// holds a list (`warnings`), so the collector tracks it, and building a million of them made it
/// scan the growing heap over and over: 2.2 µs an outcome, a third of `ingest_batch`. The dicts
/// hold no cycles, so pausing loses nothing; dropping the pause restores the collector as it was
/// (a caller who had disabled it keeps it disabled).
struct GcPause<'py> {
    gc: Option<Bound<'py, PyModule>>,
}

impl<'py> GcPause<'py> {
    fn new(py: Python<'py>) -> PyResult<Self> {
        let gc = py.import(pyo3::intern!(py, "gc"))?;
        let enabled = gc.call_method0(pyo3::intern!(py, "isenabled"))?.is_truthy()?;
        if !enabled {
            return Ok(GcPause { gc: None });
        }
        gc.call_method0(pyo3::intern!(py, "disable"))?;
        Ok(GcPause { gc: Some(gc) })
    }
}

impl Drop for GcPause<'_> {
    fn drop(&mut self) {
        if let Some(gc) = &self.gc {
            // Enabling the collector cannot fail; if it somehow did, there is no caller to tell.
            let _ = gc.call_method0(pyo3::intern!(gc.py(), "enable"));
        }
    }
}
