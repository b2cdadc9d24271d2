//! The definitions an engine holds, with their compiled form, swapped whole on each change.
//!
//! Ingest reads the rules on every accepted event, and a put is rare: so readers take an `Arc` of
//! the current rules (one read lock, held for a pointer copy) and a put builds new rules beside
//! them and swaps them in. A reader never waits for a put to compile.

use crate::base::error::Result;
use crate::model::catalog::Catalog;
use crate::state::orchestration::Definitions;
use std::sync::{Arc, PoisonError, RwLock};

/// The definitions, and what evaluation needs of them.
#[derive(Debug, Default)]
pub(crate) struct Compiled {
    /// The definitions, as stored.
    pub definitions: Definitions,
}

impl Compiled {
    /// Compiles `definitions` against the catalog whose indices evaluation uses.
    pub fn new(definitions: Definitions, _catalog: &Catalog) -> Compiled {
        Compiled { definitions }
    }
}

/// The current rules of one engine.
#[derive(Debug, Default)]
pub(crate) struct Rules {
    current: RwLock<Arc<Compiled>>,
}

impl Rules {
    /// The rules now: a put after this call does not change what the caller holds.
    pub fn current(&self) -> Arc<Compiled> {
        self.current.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Changes the definitions with `change` and compiles the result; when `change` fails,
    /// nothing changes. Callers serialise updates (they run inside the engine's change, and a
    /// durable engine's changes are ordered); two concurrent updates of an in-memory engine both
    /// apply, one after the other.
    pub fn update<T>(&self, catalog: &Catalog, change: impl FnOnce(&mut Definitions) -> Result<T>) -> Result<T> {
        let mut slot = self.current.write().unwrap_or_else(PoisonError::into_inner);
        let mut definitions = slot.definitions.clone();
        let value = change(&mut definitions)?;
        *slot = Arc::new(Compiled::new(definitions, catalog));
        Ok(value)
    }

    /// Recompiles the current definitions against an upgraded catalog, whose indices may differ.
    pub fn recompile(&self, catalog: &Catalog) {
        let mut slot = self.current.write().unwrap_or_else(PoisonError::into_inner);
        *slot = Arc::new(Compiled::new(slot.definitions.clone(), catalog));
    }
}
