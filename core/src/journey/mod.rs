//! The customer journey view (SPEC §4): a customer's session cards, and a session's events, as a
//! viewer with given permissions and divisions may see them.

mod card;
mod page;
mod query;
mod viewer;

pub use card::{ConversationCard, EventView, LastEvent, SessionCard, SessionStatus};
pub use page::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page, PageRequest};
pub use query::{JourneyQuery, SessionEventsQuery, query_from_value};
pub use viewer::{Viewer, permission};

use crate::catalog::Catalog;
use crate::error::{JourneyError, Result};
use crate::session::{CustomerSessions, Session};
use crate::time::Millis;
use page::{Cursor, paginate};

const JOURNEY_CURSOR: char = 'j';
const EVENTS_CURSOR: char = 'e';

/// Fails with `PERMISSION_DENIED` unless the viewer may list sessions.
pub(crate) fn require_journey_permission(viewer: &Viewer) -> Result<()> {
    if viewer.has(permission::SESSION_VIEW) || viewer.has(permission::EXTERNAL_CONTACTS_SESSION_VIEW) {
        Ok(())
    } else {
        Err(JourneyError::PermissionDenied(format!(
            "listing a journey needs {} or {}",
            permission::SESSION_VIEW,
            permission::EXTERNAL_CONTACTS_SESSION_VIEW
        )))
    }
}

/// Fails with `PERMISSION_DENIED` unless the viewer may read events.
pub(crate) fn require_event_permission(viewer: &Viewer) -> Result<()> {
    if viewer.has(permission::EVENT_VIEW) {
        Ok(())
    } else {
        Err(JourneyError::PermissionDenied(format!("reading session events needs {}", permission::EVENT_VIEW)))
    }
}

/// A page of `customer`'s visible sessions, newest activity first (ties by id).
pub(crate) fn journey_page(
    catalog: &Catalog,
    customer: &CustomerSessions,
    viewer: &Viewer,
    page: &PageRequest,
    now: Option<Millis>,
) -> Result<Page<SessionCard>> {
    let size = page.size()?;
    let after = page.after.as_deref().map(|c| Cursor::decode(c, JOURNEY_CURSOR)).transpose()?;
    // Only web activity the viewer may see revives a messaging card (and so orders it, and so
    // shows in a cursor).
    let latest_web = customer.latest_web_event_in(|s| card::listable(s, viewer));
    let mut listed: Vec<(Cursor, &Session)> = customer
        .iter()
        .filter(|s| card::listable(s, viewer))
        .map(|s| (Cursor { time: customer.last_activity(s, latest_web), id: s.id }, s))
        .collect();
    listed.sort_unstable_by(|(a, _), (b, _)| b.time.cmp(&a.time).then(a.id.cmp(&b.id)));
    let newest_first = |item: Cursor, cursor: Cursor| (cursor.time, item.id) > (item.time, cursor.id);
    let page = paginate(listed, after, size, JOURNEY_CURSOR, newest_first);
    Ok(Page {
        entities: page
            .entities
            .into_iter()
            .map(|s| card::card(catalog, s, customer.last_activity(s, latest_web), viewer, now))
            .collect(),
        next_cursor: page.next_cursor,
    })
}

/// A page of a session's events in time order. The caller has checked permission and visibility.
pub(crate) fn events_page(
    catalog: &Catalog,
    customer: &CustomerSessions,
    session: &Session,
    viewer: &Viewer,
    page: &PageRequest,
) -> Result<Page<EventView>> {
    let size = page.size()?;
    let after = page.after.as_deref().map(|c| Cursor::decode(c, EVENTS_CURSOR)).transpose()?;
    let start = after.map_or(0, |c| session.events.rank_after((c.time, c.id)));
    let end = (start + size).min(session.events.len());
    let entities = (start..end)
        .zip(session.events.iter_from(start))
        .map(|(i, event)| card::event_view(catalog, &customer.customer, session, i, event, viewer))
        .collect();
    let next_cursor = (end < session.events.len()).then(|| {
        let last = &session.events[end - 1];
        Cursor { time: last.time, id: last.id }.encode(EVENTS_CURSOR)
    });
    Ok(Page { entities, next_cursor })
}

/// Whether the viewer may read this session's events: exactly the sessions `journey` lists to it
/// (division, and for custom and web sessions `journey:sessionType:view`). Any other session is
/// `NOT_FOUND`, worded as for an id that never existed, so a caller cannot tell the two apart.
pub(crate) fn visible(session: &Session, viewer: &Viewer) -> bool {
    card::listable(session, viewer)
}
