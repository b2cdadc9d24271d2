//! Generates the TypeScript and Python declarations of libjourney's result forms from the core's
//! own types, so that they cannot drift from what the core returns.
//!
//! The core derives a JSON Schema for each result type (feature `schema`, schemars, in the
//! form a value is *serialized*: an `Option` field is present, as `null`); this tool turns the
//! schemas into:
//! - the generated region of `bindings-node/types.d.ts` (interfaces and unions), which napi-rs
//!   prepends to the committed `index.d.ts`;
//! - `bindings-python/python/libjourney/types.py` (`TypedDict`s and `Literal`s), which the stubs
//!   of the native module use as return types.
//!
//! `cargo run -p journey-types` writes both; `-- --check` fails when either is not current
//! (`make test` runs it).

#[cfg(test)]
mod forms_test;
mod python;
mod typescript;

use journey_core::journey::{EventView, Page, SessionCard};
use schemars::SchemaGenerator;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Every result form, and the inputs the core reads with serde, by the name the declarations give it (set in the core with
/// `schemars(rename)` where it differs from the Rust name).
fn definitions() -> Map<String, Value> {
    let mut generator: SchemaGenerator =
        schemars::generate::SchemaSettings::draft2020_12().for_serialize().into_generator();
    let _ = generator.subschema_for::<journey_core::Outcome>();
    let _ = generator.subschema_for::<journey_core::outcome::BatchOutcome>();
    let _ = generator.subschema_for::<journey_core::StreamSummary>();
    let _ = generator.subschema_for::<journey_core::Progress>();
    let _ = generator.subschema_for::<Page<SessionCard>>();
    let _ = generator.subschema_for::<Page<EventView>>();
    let _ = generator.subschema_for::<journey_core::Stats>();
    let _ = generator.subschema_for::<journey_core::Recovery>();
    let _ = generator.subschema_for::<journey_core::AgentSession>();
    let _ = generator.subschema_for::<journey_core::SendResult>();
    let _ = generator.subschema_for::<journey_core::NextEvents>();
    let _ = generator.subschema_for::<journey_core::Released>();
    let _ = generator.subschema_for::<journey_core::ActionRecord>();
    let _ = generator.subschema_for::<journey_core::ActionEvent>();
    let _ = generator.subschema_for::<journey_core::Notification>();
    let _ = generator.subschema_for::<journey_core::CustomerSegment>();
    let _ = generator.subschema_for::<journey_core::MapExplanation>();
    let _ = generator.subschema_for::<journey_core::Estimate>();
    let _ = generator.subschema_for::<journey_core::OutboxEntry>();
    let _ = generator.subschema_for::<journey_core::partition::Routing>();
    // Written by one partition and read by another: its serialized form, every field present.
    let _ = generator.subschema_for::<journey_core::partition::PartitionProgress>();
    let _ = generator.subschema_for::<journey_core::partition::OnlineRoute>();
    let _ = generator.subschema_for::<journey_core::paths::PathsResult>();
    let _ = generator.subschema_for::<journey_core::identity::LinkResult>();
    let _ = generator.subschema_for::<journey_core::identity::UnlinkEventResult>();
    let _ = generator.subschema_for::<journey_core::identity::ProfileView>();
    let _ = generator.subschema_for::<journey_core::erase::ErasureResult>();
    let mut definitions = generator.take_definitions(true);
    // Inputs, in the form a caller may *write* them (a field with a default may be left out):
    // those the core reads with serde, and the forms its own parsers read (`journey_core::forms`).
    let mut inputs = schemars::generate::SchemaSettings::draft2020_12().for_deserialize().into_generator();
    let _ = inputs.subschema_for::<journey_core::command::Command>();
    let _ = inputs.subschema_for::<journey_core::forms::ConfigForm>();
    let _ = inputs.subschema_for::<journey_core::forms::CatalogForm>();
    let _ = inputs.subschema_for::<journey_core::stream::IngestFileOptions>();
    let _ = inputs.subschema_for::<journey_core::Outcomes>();
    for (name, schema) in inputs.take_definitions(true) {
        match definitions.get(&name) {
            Some(existing) => assert_eq!(existing, &schema, "'{name}' differs as an input and as a result"),
            None => {
                definitions.insert(name, schema);
            }
        }
    }
    definitions
}

/// One generated file: where it goes, and the text of the part this tool owns.
struct Output {
    path: PathBuf,
    text: String,
}

fn outputs(root: &Path) -> Result<Vec<Output>, String> {
    let definitions = definitions();
    let types_d_ts = root.join("bindings-node/types.d.ts");
    let current = std::fs::read_to_string(&types_d_ts).map_err(|e| format!("{}: {e}", types_d_ts.display()))?;
    Ok(vec![
        Output {
            text: typescript::replace_region(&current, &typescript::declarations(&definitions))?,
            path: types_d_ts,
        },
        Output { path: root.join("bindings-python/python/libjourney/types.py"), text: python::module(&definitions) },
    ])
}

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let check = std::env::args().any(|arg| arg == "--check");
    let outputs = match outputs(&root) {
        Ok(outputs) => outputs,
        Err(error) => {
            eprintln!("journey-types: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut stale = false;
    for output in outputs {
        let current = std::fs::read_to_string(&output.path).unwrap_or_default();
        if check {
            if current != output.text {
                eprintln!("{} is not current: run `make types` and commit it", output.path.display());
                stale = true;
            }
        } else if current != output.text {
            if let Err(error) = std::fs::write(&output.path, &output.text) {
                eprintln!("journey-types: {}: {error}", output.path.display());
                return ExitCode::FAILURE;
            }
            println!("wrote {}", output.path.display());
        }
    }
    if stale { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

/// What a property or definition is, reduced to what both languages can say.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shape {
    /// Any JSON value.
    Any,
    Null,
    Boolean,
    Integer,
    Number,
    String,
    /// One exact string.
    Literal(String),
    /// A named definition.
    Reference(String),
    Array(Box<Shape>),
    /// An object with arbitrary keys, whose values are all of one shape.
    Map(Box<Shape>),
    /// An object with known properties.
    Object(Vec<Property>),
    /// Any one of these.
    Union(Vec<Shape>),
}

/// A property of an object shape.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Property {
    pub name: String,
    pub shape: Shape,
    pub required: bool,
    pub description: Option<String>,
}

/// The shape a schema describes.
pub(crate) fn shape(schema: &Value) -> Shape {
    let Some(schema) = schema.as_object() else { return Shape::Any };
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return Shape::Reference(reference.trim_start_matches("#/$defs/").to_owned());
    }
    if let Some(constant) = schema.get("const").and_then(Value::as_str) {
        return Shape::Literal(constant.to_owned());
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return Shape::Union(values.iter().filter_map(Value::as_str).map(|v| Shape::Literal(v.to_owned())).collect());
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            return Shape::Union(options.iter().map(shape).collect());
        }
    }
    match schema.get("type") {
        Some(Value::Array(types)) => {
            let one = |t: &Value| {
                let mut single = schema.clone();
                single.insert("type".into(), t.clone());
                shape(&Value::Object(single))
            };
            Shape::Union(types.iter().map(one).collect())
        }
        Some(Value::String(t)) => match t.as_str() {
            "null" => Shape::Null,
            "boolean" => Shape::Boolean,
            "integer" => Shape::Integer,
            "number" => Shape::Number,
            "string" => Shape::String,
            "array" => Shape::Array(Box::new(schema.get("items").map_or(Shape::Any, shape))),
            "object" => object(schema),
            _ => Shape::Any,
        },
        _ => Shape::Any,
    }
}

fn object(schema: &Map<String, Value>) -> Shape {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return Shape::Map(Box::new(match schema.get("additionalProperties") {
            Some(Value::Object(values)) => shape(&Value::Object(values.clone())),
            _ => Shape::Any,
        }));
    };
    let required: Vec<&str> =
        schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    let properties = properties
        .iter()
        .map(|(name, property)| Property {
            name: name.clone(),
            shape: shape(property),
            required: required.contains(&name.as_str()),
            description: description(property),
        })
        .collect();
    Shape::Object(properties)
}

/// A schema's description, on one line, without the rustdoc links (`[`Config`]` is `` `Config` ``)
/// that mean nothing outside Rust.
pub(crate) fn description(schema: &Value) -> Option<String> {
    let text = schema.get("description")?.as_str()?;
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(text.replace("[`", "`").replace("`]", "`"))
}

/// The name of a variant of a tagged union: the union's name and the tag's value in PascalCase
/// (`Outcome` + `accepted` → `OutcomeAccepted`).
pub(crate) fn variant_name(union: &str, variant: &Shape) -> Option<String> {
    let Shape::Object(properties) = variant else { return None };
    properties.iter().find_map(|p| match &p.shape {
        Shape::Literal(tag) => {
            let mut chars = tag.chars();
            let first = chars.next()?.to_ascii_uppercase();
            Some(format!("{union}{first}{}", chars.as_str()))
        }
        _ => None,
    })
}
