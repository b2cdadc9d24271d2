//! Upgrading a durable store's catalog (SPEC §11): a catalog that only adds session types, event
//! types, optional event attributes or session attributes may replace the stored one.
//!
//! Stored state names types by position (a session's type, an event's type, a session attribute's
//! slot), so an upgrade is a [`Remap`] from the stored positions to the new ones, by name. Anything
//! that would change what stored data means is refused with `INVALID_CATALOG`, one violation per
//! difference: a removed type or attribute, a changed attribute definition or kind, a new required
//! attribute, changed status thresholds, inactivity gap or `endsOn`. A changed `displayName` is
//! allowed: it is only shown.
//!
//! An open session type's open event types come along, in their order, after the new catalog's
//! declared event types (a type may be opened, not closed while it has some). A new catalog may
//! not declare a name the store holds as an open event type: its stored events were accepted
//! untyped, and a declaration would claim they were checked.

use super::load::fault;
use super::{Catalog, SessionType};
use crate::base::error::{JourneyError, Result, Violation};

/// Stored positions → new positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Remap {
    /// By stored session type index: the new index.
    pub session_types: Vec<usize>,
    /// By stored session type, then stored event type index: the new event type index.
    pub event_types: Vec<Vec<u32>>,
    /// By stored session type, then stored session attribute slot: the new slot.
    pub attribute_slots: Vec<Vec<usize>>,
    /// By stored session type: how many session attribute slots the new type has.
    pub attribute_counts: Vec<usize>,
}

/// Checks that `new` only adds to `stored`, and maps positions; `INVALID_CATALOG` lists every
/// difference that is not an addition. On success `new` holds the stored open event types.
pub(crate) fn plan(stored: &Catalog, new: &Catalog) -> Result<Remap> {
    let mut faults = Vec::new();
    let mut remap =
        Remap { session_types: vec![], event_types: vec![], attribute_slots: vec![], attribute_counts: vec![] };
    for (stored_index, old) in stored.session_types().iter().enumerate() {
        let path = format!("/sessionTypes/{}", old.name);
        let Some(index) = new.session_type_index(&old.name) else {
            faults.push(fault(&path, format!("session type '{}' is in the store but not in this catalog", old.name)));
            continue;
        };
        let ty = new.session_type(index);
        compare_session_type(old, ty, &path, &mut faults);
        let open: Vec<&str> = stored.open.names(stored_index).collect();
        compare_open(&open, ty, &path, &mut faults);
        remap.session_types.push(index);
        let mut event_types: Vec<u32> =
            old.event_types.iter().map(|e| ty.event_type_index(&e.name).unwrap_or_default() as u32).collect();
        if faults.is_empty() {
            event_types
                .extend(open.iter().map(|name| new.restore_open_name(&old.name, name).unwrap_or_default() as u32));
        }
        remap.event_types.push(event_types);
        remap.attribute_slots.push(
            old.attributes
                .iter()
                .map(|a| ty.attributes.iter().position(|b| b.name == a.name).unwrap_or_default())
                .collect(),
        );
        remap.attribute_counts.push(ty.attributes.len());
    }
    match faults.is_empty() {
        true => Ok(remap),
        false => Err(JourneyError::InvalidCatalog { violations: faults }),
    }
}

/// Faults of a new session type for the stored type's open event types `open`: it must stay open
/// while there are some, and may not declare one of them.
fn compare_open(open: &[&str], new: &SessionType, path: &str, faults: &mut Vec<Violation>) {
    if open.is_empty() {
        return;
    }
    if !new.open {
        let message =
            format!("the store holds {} open event types of this session type: it must stay open", open.len());
        faults.push(fault(format!("{path}/open"), message));
    }
    for name in open.iter().filter(|name| new.event_type_index(name).is_some()) {
        let message = "an open event type in the store (its events were accepted untyped): it cannot be declared";
        faults.push(fault(format!("{path}/eventTypes/{name}"), message));
    }
}

fn compare_session_type(old: &SessionType, new: &SessionType, path: &str, faults: &mut Vec<Violation>) {
    let mut differs = |what: &str, same: bool| {
        if !same {
            faults.push(fault(format!("{path}/{what}"), format!("{what} differs from the stored catalog's")));
        }
    };
    differs("kind", old.kind == new.kind);
    differs("status", old.idle_after == new.idle_after && old.inactive_after == new.inactive_after);
    differs("inactivityGap", old.inactivity_gap == new.inactivity_gap);
    for attribute in &old.attributes {
        match new.attributes.iter().find(|a| a.name == attribute.name) {
            None => faults.push(fault(format!("{path}/attributes/{}", attribute.name), "removed from the catalog")),
            Some(found) if found != attribute => {
                faults.push(fault(format!("{path}/attributes/{}", attribute.name), "its definition changed"))
            }
            Some(_) => {}
        }
    }
    for event_type in &old.event_types {
        let event_path = format!("{path}/eventTypes/{}", event_type.name);
        // By name through the map: a scan of the new types for each stored one was quadratic.
        let Some(found) = new.event_type_index(&event_type.name).map(|index| &new.event_types[index]) else {
            faults.push(fault(&event_path, "removed from the catalog"));
            continue;
        };
        if found.ends_session != event_type.ends_session {
            faults.push(fault(format!("{event_path}/endsOn"), "whether it ends its session changed"));
        }
        for attribute in &event_type.attributes {
            match found.attributes.iter().find(|a| a.name == attribute.name) {
                None => faults
                    .push(fault(format!("{event_path}/attributes/{}", attribute.name), "removed from the catalog")),
                Some(a) if a != attribute => {
                    faults.push(fault(format!("{event_path}/attributes/{}", attribute.name), "its definition changed"))
                }
                Some(_) => {}
            }
        }
        for added in found.attributes.iter().filter(|a| a.required) {
            if !event_type.attributes.iter().any(|a| a.name == added.name) {
                let message = "a new attribute must be optional: stored events do not have it";
                faults.push(fault(format!("{event_path}/attributes/{}", added.name), message));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(text: &str) -> Catalog {
        Catalog::from_json(text).unwrap()
    }

    const STORED: &str = r#"{"sessionTypes": [{"name": "delivery", "kind": "custom",
        "attributes": [{"name": "location", "type": "string"}],
        "eventTypes": [{"name": "in_transit", "attributes": [{"name": "location", "type": "string", "required": true}]},
                       {"name": "delivered"}]}]}"#;

    #[test]
    fn additions_map_positions_by_name() {
        let new = catalog(
            r#"{"sessionTypes": [{"name": "web", "kind": "web", "eventTypes": [{"name": "page_viewed"}]},
            {"name": "delivery", "kind": "custom", "displayName": "Parcel",
             "attributes": [{"name": "eta", "type": "datetime"}, {"name": "location", "type": "string"}],
             "eventTypes": [{"name": "delivered"}, {"name": "picked_up"},
                {"name": "in_transit", "attributes": [{"name": "speed", "type": "decimal"},
                    {"name": "location", "type": "string", "required": true}]}]}]}"#,
        );
        let remap = plan(&catalog(STORED), &new).unwrap();
        assert_eq!(remap.session_types, vec![1, 2], "delivery moved to 1; conversation is last");
        assert_eq!(remap.event_types[0], vec![2, 0]);
        assert_eq!(remap.attribute_slots[0], vec![1]);
        assert_eq!(remap.attribute_counts[0], 2);
    }

    #[test]
    fn anything_but_an_addition_is_named() {
        let new = catalog(
            r#"{"sessionTypes": [{"name": "delivery", "kind": "custom", "status": {"idleAfter": "1m", "inactiveAfter": "2m"},
             "eventTypes": [{"name": "in_transit", "attributes": [{"name": "location", "type": "integer", "required": true},
                 {"name": "courier", "type": "string", "required": true}]}]}]}"#,
        );
        let err = plan(&catalog(STORED), &new).unwrap_err();
        assert_eq!(err.code(), "INVALID_CATALOG");
        let paths: Vec<&str> = err.violations().iter().map(|v| v.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/sessionTypes/delivery/status",
                "/sessionTypes/delivery/attributes/location",
                "/sessionTypes/delivery/eventTypes/in_transit/attributes/location",
                "/sessionTypes/delivery/eventTypes/in_transit/attributes/courier",
                "/sessionTypes/delivery/eventTypes/delivered",
            ]
        );
    }
}
