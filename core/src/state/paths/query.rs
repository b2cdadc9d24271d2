//! The input of `paths` (docs/paths.md): its JSON form, and the plan it compiles to against a
//! catalog, where every name is checked once instead of once per session.

use crate::base::error::{JourneyError, Result};
use crate::base::text::clip;
use crate::base::time::{Millis, parse_rfc3339};
use crate::model::catalog::{AttributeType, Catalog, SessionKind, SessionType};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Longest path a query may ask for.
pub const MAX_DEPTH: usize = 10;

/// `{"from", "to", "sessions", "steps", "anchor", "depth", "filters", "groupBy", "minCellSize"}`,
/// every key optional (docs/paths.md).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PathsQuery {
    /// Only events at or after this time (RFC 3339) are steps.
    #[serde(default)]
    pub from: Option<String>,
    /// Only events before this time (RFC 3339) are steps.
    #[serde(default)]
    pub to: Option<String>,
    /// Which sessions count.
    #[serde(default)]
    pub sessions: SessionSelection,
    /// The events that are steps: `eventName` or `sessionType:eventName`; all when absent.
    #[serde(default)]
    pub steps: Option<Vec<String>>,
    /// Where paths start.
    #[serde(default)]
    pub anchor: Anchor,
    /// Steps per path, 1 to 10 (default 5).
    #[serde(default)]
    pub depth: Option<usize>,
    /// Conditions a session must meet, all of them.
    #[serde(default)]
    pub filters: Vec<Filter>,
    /// Splits the result by an attribute's value.
    #[serde(default)]
    pub group_by: Option<AttributeRef>,
    /// Nodes with fewer sessions are not shown (0: off).
    #[serde(default)]
    pub min_cell_size: usize,
}

/// `{"types", "kinds", "channels"}`: which sessions count (each list absent: all).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionSelection {
    /// Session type names.
    #[serde(default)]
    pub types: Option<Vec<String>>,
    /// `web`, `custom`, `conversation`.
    #[serde(default)]
    pub kinds: Option<Vec<String>>,
    /// Conversation channels; other kinds have none and are left out when this is given.
    #[serde(default)]
    pub channels: Option<Vec<String>>,
}

/// `"start"`, or `{"event", "direction": "forward" | "backward"}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Anchor {
    /// Paths start at each session's first step: `"start"`.
    Start(StartOfSession),
    /// Paths start (`forward`) or end (`backward`) at the session's first step named `event`.
    At {
        /// The step's name, as in `steps`.
        event: String,
        /// `forward` (the default) or `backward`.
        #[serde(default)]
        direction: Direction,
    },
}

impl Default for Anchor {
    fn default() -> Self {
        Anchor::Start(StartOfSession::Start)
    }
}

/// The anchor `"start"`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StartOfSession {
    /// Each session's first step.
    Start,
}

/// Which way a path runs from its anchor.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Direction {
    /// The steps after the anchor.
    #[default]
    Forward,
    /// The steps that led to the anchor, nearest first.
    Backward,
}

/// Whether an attribute is a session's or one of its step events'.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum On {
    /// A session attribute.
    Session,
    /// An attribute of the session's step events.
    Event,
}

/// `{"on", "attribute"}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AttributeRef {
    /// A session's attribute, or its steps'.
    pub on: On,
    /// The attribute's name.
    pub attribute: String,
}

/// One condition: `{"on", "attribute"}` with `equals`, `in`, `min`/`max` or `exists`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Filter {
    /// A session's attribute, or its steps'.
    pub on: On,
    /// The attribute's name.
    pub attribute: String,
    /// The value it equals (a string, number or boolean).
    #[serde(default)]
    pub equals: Option<Value>,
    /// The values it may be (strings, or numbers).
    #[serde(default, rename = "in")]
    pub one_of: Option<Vec<Value>>,
    /// Smallest number it may be (inclusive).
    #[serde(default)]
    pub min: Option<f64>,
    /// Largest number it may be (inclusive).
    #[serde(default)]
    pub max: Option<f64>,
    /// Whether it is present (`true`) or absent (`false`).
    #[serde(default)]
    pub exists: Option<bool>,
}

/// A filter checked against the catalog.
#[derive(Debug, Clone)]
pub(crate) struct Condition {
    pub on: On,
    pub attribute: String,
    pub test: Test,
}

/// What a value must be.
#[derive(Debug, Clone)]
pub(crate) enum Test {
    OneOf(Vec<Value>),
    Range(Option<f64>, Option<f64>),
    Exists(bool),
}

impl Test {
    /// Whether `value` (`None`: the attribute is absent) passes.
    pub fn passes(&self, value: Option<&Value>) -> bool {
        match (self, value) {
            (Test::Exists(wanted), value) => value.is_some() == *wanted,
            (_, None) => false,
            (Test::OneOf(values), Some(value)) => values.iter().any(|v| same(v, value)),
            (Test::Range(min, max), Some(value)) => {
                value.as_f64().is_some_and(|n| min.is_none_or(|min| n >= min) && max.is_none_or(|max| n <= max))
            }
        }
    }
}

/// JSON equality that takes `1` and `1.0` as the same number.
fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// The input of the `paths` op: `{"query", "viewer"}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PathsRequest {
    /// What to count.
    #[serde(default)]
    pub query: PathsQuery,
    /// Who asks: only the sessions and events it may see count.
    pub viewer: crate::state::journey::Viewer,
}

/// The query compiled against a catalog.
#[derive(Debug)]
pub(crate) struct Plan {
    pub from: Option<Millis>,
    pub to: Option<Millis>,
    /// Per session type: whether it counts.
    pub types: Vec<bool>,
    pub channels: Option<Vec<String>>,
    /// Per session type, per event type (declared and open, as the catalog had them when the
    /// query was planned): the step's label, or `None` when it is not a step.
    pub step_labels: Vec<Vec<Option<String>>>,
    /// Whether every event is a step (no `steps`): then an open event type created after the plan
    /// is a step too, labelled with its name.
    pub every_event: bool,
    pub anchor: Option<(String, Direction)>,
    pub depth: usize,
    pub conditions: Vec<Condition>,
    pub group_by: Option<AttributeRef>,
    pub min_cell_size: usize,
}

impl PathsQuery {
    /// Checks every name and type against `catalog`; `INVALID_ARGUMENT` names what is wrong.
    pub(crate) fn plan(&self, catalog: &Catalog) -> Result<Plan> {
        let time = |text: &Option<String>, key: &str| match text {
            None => Ok(None),
            Some(text) => parse_rfc3339(text)
                .map(Some)
                .ok_or_else(|| invalid(format!("{key} '{}' is not an RFC 3339 time", clip(text)))),
        };
        let depth = self.depth.unwrap_or(5);
        if !(1..=MAX_DEPTH).contains(&depth) {
            return Err(invalid(format!("depth must be 1 to {MAX_DEPTH}, not {depth}")));
        }
        let types = self.selected_types(catalog)?;
        let step_labels = self.step_labels(catalog)?;
        let selected: Vec<&SessionType> =
            catalog.session_types().iter().zip(&types).filter(|(_, keep)| **keep).map(|(t, _)| t).collect();
        let conditions = self.filters.iter().map(|filter| condition(filter, &selected)).collect::<Result<Vec<_>>>()?;
        if let Some(group) = &self.group_by {
            attribute_type(group.on, &group.attribute, &selected)?;
        }
        let anchor = match &self.anchor {
            Anchor::Start(_) => None,
            Anchor::At { event, direction } => {
                if !step_labels.iter().flatten().any(|label| label.as_deref() == Some(event.as_str())) {
                    return Err(invalid(format!("the anchor '{}' is not one of the steps", clip(event))));
                }
                Some((event.clone(), *direction))
            }
        };
        Ok(Plan {
            from: time(&self.from, "from")?,
            to: time(&self.to, "to")?,
            types,
            channels: self.sessions.channels.clone(),
            step_labels,
            every_event: self.steps.is_none(),
            anchor,
            depth,
            conditions,
            group_by: self.group_by.clone(),
            min_cell_size: self.min_cell_size,
        })
    }

    /// Whether the query reads event attributes (which needs `journey:eventType:view`).
    pub(crate) fn reads_event_attributes(&self) -> bool {
        self.filters.iter().any(|f| f.on == On::Event) || self.group_by.as_ref().is_some_and(|g| g.on == On::Event)
    }

    fn selected_types(&self, catalog: &Catalog) -> Result<Vec<bool>> {
        let kinds = match &self.sessions.kinds {
            None => None,
            Some(kinds) => Some(
                kinds
                    .iter()
                    .map(|kind| {
                        SessionKind::from_name(kind)
                            .ok_or_else(|| invalid(format!("'{}' is not a session kind", clip(kind))))
                    })
                    .collect::<Result<Vec<_>>>()?,
            ),
        };
        if let Some(names) = &self.sessions.types
            && let Some(unknown) = names.iter().find(|name| catalog.session_type_index(name).is_none())
        {
            return Err(invalid(format!("no session type '{}'", clip(unknown))));
        }
        Ok(catalog
            .session_types()
            .iter()
            .map(|ty| {
                self.sessions.types.as_ref().is_none_or(|names| names.contains(&ty.name))
                    && kinds.as_ref().is_none_or(|kinds| kinds.contains(&ty.kind))
                    && (self.sessions.channels.is_none() || ty.kind.is_conversation())
            })
            .collect())
    }

    fn step_labels(&self, catalog: &Catalog) -> Result<Vec<Vec<Option<String>>>> {
        let label = |et: &crate::model::catalog::EventType| self.steps.is_none().then(|| et.name.clone());
        let mut labels: Vec<Vec<Option<String>>> = (0..catalog.session_types().len())
            .map(|ty| catalog.event_types_of(ty).map(|(_, et)| label(et)).collect())
            .collect();
        for step in self.steps.iter().flatten() {
            let (type_name, event_name) = match step.split_once(':') {
                Some((ty, name)) => (Some(ty), name),
                None => (None, step.as_str()),
            };
            let mut found = false;
            for (index, (ty, slots)) in catalog.session_types().iter().zip(&mut labels).enumerate() {
                if type_name.is_some_and(|name| name != ty.name) {
                    continue;
                }
                match catalog.event_type_index(index, event_name).and_then(|at| slots.get_mut(at)) {
                    Some(slot) => *slot = Some(step.clone()),
                    // An open type may take the name later (if an event could carry it); until
                    // it does, the step matches nothing.
                    None if !ty.open || !crate::model::catalog::is_identifier(event_name) => continue,
                    None => {}
                }
                found = true;
            }
            if !found {
                return Err(invalid(format!("no event type for the step '{}'", clip(step))));
            }
        }
        Ok(labels)
    }
}

/// A filter checked against the attribute's type in the selected session types.
fn condition(filter: &Filter, selected: &[&SessionType]) -> Result<Condition> {
    let ty = attribute_type(filter.on, &filter.attribute, selected)?;
    let named = |what: &str| invalid(format!("the filter on '{}' {what}", clip(&filter.attribute)));
    let numeric = matches!(ty, AttributeType::Integer { .. } | AttributeType::Decimal { .. });
    let kinds = [
        filter.equals.is_some() || filter.one_of.is_some(),
        filter.min.is_some() || filter.max.is_some(),
        filter.exists.is_some(),
    ];
    if kinds.iter().filter(|k| **k).count() != 1 || (filter.equals.is_some() && filter.one_of.is_some()) {
        return Err(named("needs exactly one of equals, in, min/max or exists"));
    }
    let test = if let Some(exists) = filter.exists {
        Test::Exists(exists)
    } else if filter.min.is_some() || filter.max.is_some() {
        if !numeric {
            return Err(named(&format!("uses min/max on a {} attribute", ty.name())));
        }
        Test::Range(filter.min, filter.max)
    } else {
        let values = filter.one_of.clone().unwrap_or_else(|| filter.equals.clone().into_iter().collect());
        let fits = |value: &Value| match ty {
            AttributeType::Integer { .. } | AttributeType::Decimal { .. } => value.is_number(),
            AttributeType::Boolean => value.is_boolean() && filter.one_of.is_none(),
            _ => value.is_string(),
        };
        if values.is_empty() || !values.iter().all(fits) {
            return Err(named(&format!("compares a {} attribute with a value of another type", ty.name())));
        }
        Test::OneOf(values)
    };
    Ok(Condition { on: filter.on, attribute: filter.attribute.clone(), test })
}

/// The attribute's type, from the first selected session type (or event type) that defines it.
fn attribute_type<'c>(on: On, name: &str, selected: &[&'c SessionType]) -> Result<&'c AttributeType> {
    let found = selected.iter().find_map(|ty| match on {
        On::Session => ty.attributes.iter().find(|a| a.name == name),
        On::Event => ty.event_types.iter().flat_map(|et| &et.attributes).find(|a| a.name == name),
    });
    found.map(|def| &def.ty).ok_or_else(|| {
        let on = match on {
            On::Session => "session",
            On::Event => "event",
        };
        invalid(format!("no selected session type has the {on} attribute '{}'", clip(name)))
    })
}

fn invalid(message: String) -> JourneyError {
    JourneyError::invalid_argument(message)
}
