//! The rules run over a session's stored events, for `explainActionMap` and
//! `estimateActionMap` (docs/orchestration.md, "Explain and estimate"): what each pattern and
//! condition would count, computed from the events themselves rather than from the counts
//! evaluation kept (so a map put after the events is explained too).

use super::{Session, StoredEvent};
use crate::base::json::Json;
use crate::model::catalog::Catalog;
use crate::state::orchestration::{Compiled, Counted, Facts, Scalar};

/// A stored event and its session, as criteria read them. The event's attributes are parsed
/// once, on the first test that reads one, and only then.
struct Stored<'s> {
    event: &'s StoredEvent,
    session: &'s Session,
    attributes: std::cell::OnceCell<Option<Json<'s>>>,
}

impl Facts for Stored<'_> {
    fn event_attribute(&self, _index: usize, name: &str) -> Option<Scalar<'_>> {
        self.attribute(name)
    }

    fn attribute(&self, name: &str) -> Option<Scalar<'_>> {
        let attributes = self.attributes.get_or_init(|| self.event.parsed_attributes());
        Scalar::of_json(attributes.as_ref()?.get(name)?)
    }

    fn session_attribute(&self, slot: usize, name: &str) -> Option<Scalar<'static>> {
        Scalar::of_value(&self.session.attribute(slot, name)?)
    }
}

impl Session {
    /// Calls `visit` for every index entry an event of the session is listed under, in event
    /// order, with the event's facts and whether every test of the entry holds on it.
    pub fn each_counted(&self, rules: &Compiled, mut visit: impl FnMut(&Counted, &dyn Facts, bool)) {
        for event in self.events.iter() {
            let entries = rules.counted(self.session_type, event.event_type as usize);
            if entries.is_empty() {
                continue;
            }
            let facts = Stored { event, session: self, attributes: std::cell::OnceCell::new() };
            for entry in entries {
                visit(entry, &facts, entry.tests.iter().all(|test| test.holds(&facts)));
            }
        }
    }

    /// The session's web page URLs, in event order (the `url` attribute of its events).
    pub fn page_urls(&self, catalog: &Catalog) -> Vec<String> {
        if !catalog.session_type(self.session_type).kind.is_web_visit() {
            return Vec::new();
        }
        self.events.iter().filter_map(|e| e.attribute("url")?.as_str().map(str::to_owned)).collect()
    }
}
