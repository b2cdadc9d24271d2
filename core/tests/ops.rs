//! Every op a host can call by name is reachable from every binding (docs/architecture.md, "The op
//! table").
//!
//! The ops are read from `Command`'s JSON Schema, so the list is the table itself and cannot
//! drift from it. Each op needs, in each binding, a typed form: a function in C
//! (`include/journey.h`), a method of `Engine` in Python (`_native.pyi`) and in Node
//! (`index.d.ts`), named as the op is spelled in that language (`journey_ingest_batch`,
//! `ingest_batch`, `ingestBatch`) or as the binding's table of other names says. Or the op is on
//! the binding's call-only list, with the reason it has no typed form: it is then still reachable,
//! through `journey_call` or `Engine.call`, but someone decided so. A list entry that names no op,
//! or an op that has a typed form after all, fails too, so that the lists stay true.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// C functions named otherwise than `journey_<op in snake_case>`: (op, function, why).
const C_NAMES: &[(&str, &str, &str)] = &[
    ("ingest", "journey_ingest_json", "C hands the event over as JSON text with its length"),
    ("ingestBatch", "journey_ingest_batch_json", "a JSON array as text; NDJSON has journey_ingest_ndjson"),
    ("subscribe", "journey_on", "the typed form calls a callback, where the op records under a label"),
    ("unsubscribe", "journey_off", "ends a journey_on or journey_once subscription"),
];

/// Ops C reaches only through `journey_call`: (op, why there is no typed function).
const CALL_ONLY_IN_C: &[(&str, &str)] = &[
    ("moveOut", "a router's state move: customers in and the slice out are JSON either way, so it would rename call"),
    ("moveIn", "the other half of moveOut: it takes back moveOut's {\"slice\"} JSON as it came"),
    ("deliveries", "reads what a subscribe made through journey_call recorded; journey_on's callback has the events"),
    ("putSegment", DEFINITION_IN_C),
    ("putOutcome", DEFINITION_IN_C),
    ("putActionMap", DEFINITION_IN_C),
    ("deleteSegment", DEFINITION_IN_C),
    ("deleteOutcome", DEFINITION_IN_C),
    ("deleteActionMap", DEFINITION_IN_C),
    ("listSegments", DEFINITION_IN_C),
    ("listOutcomes", DEFINITION_IN_C),
    ("listActionMaps", DEFINITION_IN_C),
    (
        "segments",
        "a customer in, a list of segments out, both JSON: a typed function would take and give the same text",
    ),
    ("explainActionMap", "a query in, an explanation out, both JSON, for people reading them: as journey_call"),
    ("estimateActionMap", "a draft map in, counts out, both JSON: a typed function would take and give the same text"),
    ("outbox", "a query in, entries out, both JSON, forwarded as sendCustomEvent's JSON: as journey_call"),
    ("acknowledgeOutbox", "a partition host's bookkeeping beside outbox, which is JSON: as journey_call"),
    ("link", IDENTITY_IN_C),
    ("unlink", IDENTITY_IN_C),
    ("unlinkEvent", IDENTITY_IN_C),
    ("profile", IDENTITY_IN_C),
    ("erase", IDENTITY_IN_C),
];

/// Why the identity ops have no typed C function.
const IDENTITY_IN_C: &str = "identifiers in and a JSON result out, off the hot path (an event's identifiers link on \
     ingest): a typed function would take and give the same text as journey_call";

/// Why the definition ops have no typed C function.
const DEFINITION_IN_C: &str = "a definition is JSON in and JSON out, rare and never on a hot path: a typed function \
     would take and give the same text as journey_call";

/// Python methods named otherwise than the op in snake_case: (op, method, why).
const PYTHON_NAMES: &[(&str, &str, &str)] = &[
    ("subscribe", "on", "the typed form calls a callback, where the op records under a label"),
    ("unsubscribe", "off", "ends an on or once subscription"),
];

/// Ops Python reaches only through `Engine.call`: (op, why there is no method).
const CALL_ONLY_IN_PYTHON: &[(&str, &str)] =
    &[("deliveries", "reads what a subscribe made through call recorded; on's callback has the events")];

/// Node methods named otherwise than the op: (op, method, why).
const NODE_NAMES: &[(&str, &str, &str)] = &[
    ("subscribe", "on", "the typed form calls a callback, where the op records under a label"),
    ("unsubscribe", "off", "ends an on or once subscription"),
];

/// Ops Node reaches only through `Engine.call`: (op, why there is no method).
const CALL_ONLY_IN_NODE: &[(&str, &str)] =
    &[("deliveries", "reads what a subscribe made through call recorded; on's callback has the events")];

/// One binding: where its declarations are, how it spells an op, and its two tables.
struct Binding {
    /// The language, as the messages name it.
    language: &'static str,
    /// The declarations, from the repository's root.
    file: &'static str,
    /// The typed names the declarations hold: C's functions, or the methods of `Engine`.
    declared: fn(&str) -> BTreeSet<String>,
    /// An op's name as this binding spells a typed form of it.
    spell: fn(&str) -> String,
    /// The generic door, through which a call-only op is reached.
    call: &'static str,
    /// The table of other names, and the name the messages give it.
    names: (&'static str, &'static [(&'static str, &'static str, &'static str)]),
    /// The call-only list, and the name the messages give it.
    call_only: (&'static str, &'static [(&'static str, &'static str)]),
}

/// The bindings whose typed forms are checked, each with its tables.
const BINDINGS: &[Binding] = &[
    Binding {
        language: "C",
        file: "include/journey.h",
        declared: c_functions,
        spell: |op| format!("journey_{}", snake_case(op)),
        call: "journey_call",
        names: ("C_NAMES", C_NAMES),
        call_only: ("CALL_ONLY_IN_C", CALL_ONLY_IN_C),
    },
    Binding {
        language: "Python",
        file: "bindings-python/python/libjourney/_native.pyi",
        declared: python_engine_methods,
        spell: snake_case,
        call: "call",
        names: ("PYTHON_NAMES", PYTHON_NAMES),
        call_only: ("CALL_ONLY_IN_PYTHON", CALL_ONLY_IN_PYTHON),
    },
    Binding {
        language: "Node",
        file: "bindings-node/index.d.ts",
        declared: node_engine_methods,
        spell: str::to_owned,
        call: "call",
        names: ("NODE_NAMES", NODE_NAMES),
        call_only: ("CALL_ONLY_IN_NODE", CALL_ONLY_IN_NODE),
    },
];

/// The ops of `Command`, from its JSON Schema: one `oneOf` branch per variant, whose `op`
/// property is the variant's name (`ingestBatch`).
fn ops() -> Vec<String> {
    let schema = serde_json::to_value(schemars::schema_for!(journey_core::Command)).expect("a schema is JSON");
    let branches = schema["oneOf"].as_array().unwrap_or_else(|| panic!("Command's schema has no oneOf: {schema:#}"));
    branches
        .iter()
        .map(|branch| {
            let op = &branch["properties"]["op"];
            op["const"]
                .as_str()
                .or_else(|| op["enum"].as_array().filter(|names| names.len() == 1).and_then(|names| names[0].as_str()))
                .unwrap_or_else(|| panic!("a branch of Command's schema names no single op: {branch:#}"))
                .to_owned()
        })
        .collect()
}

/// `ingestBatch` as `ingest_batch`.
fn snake_case(op: &str) -> String {
    let mut snake = String::with_capacity(op.len() + 4);
    for c in op.chars() {
        if c.is_ascii_uppercase() {
            snake.push('_');
        }
        snake.push(c.to_ascii_lowercase());
    }
    snake
}

/// The functions `journey.h` declares. Only declaration lines count: the doc comments name
/// functions too (`journey_string_free()`), including ones a reader might wish existed.
fn c_functions(header: &str) -> BTreeSet<String> {
    header
        .lines()
        .map(str::trim_start)
        .filter(|line| !["*", "/*", "//", "#"].iter().any(|comment| line.starts_with(comment)))
        .filter_map(declared_name)
        .filter(|name| name.starts_with("journey_"))
        .collect()
}

/// The identifier right before a line's first `(`: the function a C declaration declares. A
/// function pointer's typedef has none there (`void (*JourneyActionCallback)(…)`).
fn declared_name(line: &str) -> Option<String> {
    let head = &line[..line.find('(')?];
    let start = head.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
    (start < head.len()).then(|| head[start..].to_owned())
}

/// The lines of the block that `opening` starts, up to the first line `ends` says is past it.
fn block<'a>(text: &'a str, opening: &str, ends: fn(&str) -> bool) -> Vec<&'a str> {
    let mut lines = text.lines().skip_while(|line| line.trim_end() != opening);
    assert!(lines.next().is_some(), "no `{opening}` line");
    lines.take_while(|line| !ends(line)).collect()
}

/// The methods of `class Engine` in the Python stubs.
fn python_engine_methods(stub: &str) -> BTreeSet<String> {
    // The class ends at the next line that is not indented: the next class or function.
    block(stub, "class Engine:", |line| !line.is_empty() && !line.starts_with(char::is_whitespace))
        .into_iter()
        .filter_map(|line| line.trim_start().strip_prefix("def "))
        .filter_map(|def| def.split('(').next())
        .map(str::to_owned)
        .collect()
}

/// The methods of `class Engine` in the Node declarations: `name(` or, for a generic one, `name<`.
fn node_engine_methods(declarations: &str) -> BTreeSet<String> {
    block(declarations, "export declare class Engine {", |line| line == "}")
        .into_iter()
        .map(str::trim_start)
        .filter(|line| !["*", "/*", "//"].iter().any(|comment| line.starts_with(comment)))
        .map(|line| line.strip_prefix("static ").unwrap_or(line))
        .filter_map(|line| {
            let end = line.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
            matches!(line.as_bytes()[end], b'(' | b'<').then(|| line[..end].to_owned())
        })
        .collect()
}

/// What is wrong between `ops` and the bindings' declarations and tables, one sentence each.
fn problems(ops: &[String]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut problems = Vec::new();
    for binding in BINDINGS {
        let text = std::fs::read_to_string(root.join(binding.file))
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", binding.file));
        let declared = (binding.declared)(&text);
        let (language, file) = (binding.language, binding.file);
        let ((names_list, names), (call_only_list, call_only)) = (binding.names, binding.call_only);
        if !declared.contains(binding.call) {
            problems.push(format!("{language}: {file} declares no `{}`, the door of the call-only ops", binding.call));
        }
        for (op, name, why) in names {
            if !ops.iter().any(|known| known == op) {
                problems.push(format!("{language}: {names_list} names `{op}`, which is not an op of Command"));
            }
            if why.is_empty() {
                problems.push(format!("{language}: {names_list} gives no reason for `{op}`'s name `{name}`"));
            }
        }
        for (op, why) in call_only {
            if !ops.iter().any(|known| known == op) {
                problems.push(format!("{language}: {call_only_list} names `{op}`, which is not an op of Command"));
            }
            if why.is_empty() {
                problems.push(format!("{language}: {call_only_list} gives no reason for `{op}`"));
            }
        }
        for op in ops {
            let renamed = names.iter().find(|(named, _, _)| named == op).map(|(_, name, _)| *name);
            let typed = renamed.map_or_else(|| (binding.spell)(op), str::to_owned);
            let listed = call_only.iter().any(|(listed, _)| listed == op);
            match (declared.contains(&typed), listed) {
                (true, false) => {}
                (true, true) => problems.push(format!(
                    "{language}: op `{op}` is on {call_only_list}, but {file} declares `{typed}`: take it off the list"
                )),
                (false, true) if renamed.is_some() => problems.push(format!(
                    "{language}: op `{op}` is both on {names_list} (as `{typed}`) and on {call_only_list}"
                )),
                (false, true) => {}
                (false, false) => problems.push(format!(
                    "{language}: op `{op}` is not reachable: {file} declares no `{typed}`{}, and {call_only_list} \
                     does not list it. Add the typed form{}, or put the op on {call_only_list} with the reason",
                    renamed.map_or(String::new(), |_| format!(" (its name in {names_list})")),
                    renamed.map_or(format!(" (or name it in {names_list})"), |_| String::new()),
                )),
            }
        }
    }
    problems
}

#[test]
fn every_op_is_reachable_from_every_binding() {
    let problems = problems(&ops());
    assert!(problems.is_empty(), "the op table and the bindings disagree:\n  {}", problems.join("\n  "));
}

#[test]
fn the_ops_are_the_command_table() {
    let ops = ops();
    for op in ["ingest", "ingestBatch", "observeWatermark", "lastCheckpoint", "moveOut", "deliveries"] {
        assert!(ops.iter().any(|known| known == op), "`{op}` is missing from {ops:?}");
    }
    for op in &ops {
        // Each name is one `Command` reads: at worst its input is wrong, never the op.
        if let Err(error) = journey_core::Command::new(op, Value::Null) {
            assert!(!error.to_string().contains("unknown variant"), "`{op}`: {error}");
        }
    }
}

/// The problems `ops` has that the real table has not: the checks' own tests look only at what
/// they changed, so that a real problem fails the first test alone.
fn new_problems(ops: &[String]) -> Vec<String> {
    let real: BTreeSet<String> = problems(&self::ops()).into_iter().collect();
    problems(ops).into_iter().filter(|problem| !real.contains(problem)).collect()
}

#[test]
fn an_op_with_no_typed_form_and_no_listing_is_named_per_binding() {
    let mut ops = ops();
    ops.push("selfDestruct".to_owned());
    assert_eq!(
        new_problems(&ops),
        [
            "C: op `selfDestruct` is not reachable: include/journey.h declares no `journey_self_destruct`, and \
             CALL_ONLY_IN_C does not list it. Add the typed form (or name it in C_NAMES), or put the op on \
             CALL_ONLY_IN_C with the reason",
            "Python: op `selfDestruct` is not reachable: bindings-python/python/libjourney/_native.pyi declares no \
             `self_destruct`, and CALL_ONLY_IN_PYTHON does not list it. Add the typed form (or name it in \
             PYTHON_NAMES), or put the op on CALL_ONLY_IN_PYTHON with the reason",
            "Node: op `selfDestruct` is not reachable: bindings-node/index.d.ts declares no `selfDestruct`, and \
             CALL_ONLY_IN_NODE does not list it. Add the typed form (or name it in NODE_NAMES), or put the op on \
             CALL_ONLY_IN_NODE with the reason",
        ]
    );
}

#[test]
fn a_list_entry_for_an_op_that_is_gone_is_named() {
    let ops: Vec<String> = ops().into_iter().filter(|op| op != "deliveries" && op != "subscribe").collect();
    assert_eq!(
        new_problems(&ops),
        [
            "C: C_NAMES names `subscribe`, which is not an op of Command",
            "C: CALL_ONLY_IN_C names `deliveries`, which is not an op of Command",
            "Python: PYTHON_NAMES names `subscribe`, which is not an op of Command",
            "Python: CALL_ONLY_IN_PYTHON names `deliveries`, which is not an op of Command",
            "Node: NODE_NAMES names `subscribe`, which is not an op of Command",
            "Node: CALL_ONLY_IN_NODE names `deliveries`, which is not an op of Command",
        ]
    );
}

#[test]
fn the_declarations_are_read_as_each_language_writes_them() {
    let header = "/**\n * Frees it; see journey_string_free().\n */\nenum JourneyStatus journey_ingest_json(const \
                  struct JourneyEngine *engine,\n    const char *json);\nconst char *journey_version(void);\n\
                  typedef void (*JourneyActionCallback)(const char *event_json, void *user_data);\n";
    assert_eq!(c_functions(header), ["journey_ingest_json", "journey_version"].map(String::from).into());
    let stub = "class Catalog:\n    def stats(self) -> None: ...\nclass Engine:\n    @overload\n    def \
                ingest_batch(self) -> None: ...\n\n    def call(self, op: str) -> Any: ...\nclass Poll:\n    def \
                step(self) -> None: ...\n";
    assert_eq!(python_engine_methods(stub), ["call", "ingest_batch"].map(String::from).into());
    let declarations = "export declare class Catalog {\n  stats(): Stats\n}\nexport declare class Engine {\n  /** \
                        Ingests (see `call(op)`). */\n  constructor(catalog: Catalog)\n  ingestBatch<O>(events: \
                        string): O\n  static open(path: string): Engine\n  name: string\n}\n";
    assert_eq!(node_engine_methods(declarations), ["constructor", "ingestBatch", "open"].map(String::from).into());
    assert_eq!(snake_case("observeWatermark"), "observe_watermark");
}
