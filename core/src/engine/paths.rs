//! Journey patterns on the engine (docs/paths.md): the permission check and plan, the expiry of
//! due sessions, then the count over the store, all under a durable read. The counting itself is
//! `state::paths`.

use crate::base::error::Result;
use crate::engine::Engine;
use crate::state::journey::Viewer;
use crate::state::paths::{self, PathsQuery, PathsResult};

impl Engine {
    /// The paths of the sessions `viewer` may see (docs/paths.md). `PERMISSION_DENIED` without
    /// `journey:session:view` (or `externalContacts:session:view`) and `journey:event:view`, or
    /// without `journey:eventType:view` for a filter or `groupBy` on event attributes;
    /// `INVALID_ARGUMENT` for a query that does not fit the catalog.
    pub fn paths(&self, query: &PathsQuery, viewer: &Viewer) -> Result<PathsResult> {
        self.read_durably(|engine| {
            let plan = paths::plan(&engine.catalog, query, viewer)?;
            engine.expire()?;
            // One person across identifiers counts once (docs/identity.md), as the viewer sees them.
            let profiles = engine.identity.read().visible_profiles(|division| viewer.sees_division(division));
            paths::count(&engine.catalog, &engine.store, &plan, viewer, &profiles)
        })
    }
}
