//! The customer journey view (SPEC §4): a customer's session cards, and a session's events, as a
//! viewer with given permissions and divisions may see them.

mod card;
#[cfg(test)]
mod listing;
mod page;
mod query;
mod viewer;

pub(crate) use card::listable;
pub use card::{
    ConversationCard, EventView, LastEvent, OutcomeAchievement, SegmentAssignment, SessionCard, SessionStatus,
};
pub use page::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page, PageRequest};
pub use query::{JourneyQuery, SessionEventsQuery, query_from_value};
pub use viewer::{Viewer, permission};

use crate::base::error::{JourneyError, Result};
use crate::base::time::Millis;
use crate::model::catalog::Catalog;
use crate::state::session::{ActivityIndex, CustomerSessions, ListingKey, Session};
use page::Cursor;
use std::cmp::Reverse;
use uuid::Uuid;

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

/// A page request of a journey, read: its size and cursor. A customer's page is its visible
/// sessions, newest activity first (ties by id). A profile's journey (docs/identity.md)
/// asks each member for its cards after the cursor and pages them together, since the listing
/// order (newest activity, then session id) is one order across customers.
pub(crate) struct JourneyPaging {
    size: usize,
    after: Option<Cursor>,
}

/// A card with its place in the listing order.
pub(crate) type Listed = (ListingKey, SessionCard);

impl JourneyPaging {
    /// Reads the page size and the cursor; a bad one is `INVALID_ARGUMENT`.
    pub fn read(page: &PageRequest) -> Result<JourneyPaging> {
        let size = page.size()?;
        let after = page.after.as_deref().map(|c| Cursor::decode(c, JOURNEY_CURSOR)).transpose()?;
        Ok(JourneyPaging { size, after })
    }

    /// Up to a page and one of `customer`'s visible sessions after the cursor, in listing order,
    /// with the latest web event the viewer may see.
    fn listed<'c>(
        &self,
        customer: &'c CustomerSessions,
        viewer: &Viewer,
    ) -> (Vec<(ListingKey, &'c Session)>, Option<Millis>) {
        match customer.activity() {
            Some(index) => walk_index(customer, index, viewer, self.after, self.size),
            None => sort_all(customer, viewer, self.after, self.size),
        }
    }

    /// The places in the listing order of up to a page and one of `customer`'s visible sessions
    /// after the cursor, without their cards: a profile's journey merges its members' places and
    /// builds the cards of the page alone ([`JourneyPaging::cards_of`]).
    pub fn places(&self, customer: &CustomerSessions, viewer: &Viewer) -> Vec<(ListingKey, Uuid)> {
        self.listed(customer, viewer).0.into_iter().map(|(key, session)| (key, session.id)).collect()
    }

    /// Keeps the first page and one of `places` (several customers' [`JourneyPaging::places`]),
    /// in listing order.
    pub fn keep_page<T>(&self, places: &mut Vec<(ListingKey, T)>) {
        places.sort_unstable_by_key(|(key, _)| *key);
        places.truncate(self.size + 1);
    }

    /// The cards of `customer`'s sessions at `kept` places. A session gone since its place was
    /// taken (a concurrent write merged or evicted it) is left out.
    pub fn cards_of(
        &self,
        catalog: &Catalog,
        customer: &CustomerSessions,
        kept: &[(ListingKey, Uuid)],
        viewer: &Viewer,
        now: Option<Millis>,
    ) -> Vec<Listed> {
        let latest_web = customer.latest_web_event_in(|s| card::revives(s, viewer));
        let card_of = |key: ListingKey, session: &Session| {
            let activity = customer.last_activity(session, latest_web);
            let card = card::card(
                catalog,
                &customer.customer,
                session,
                customer.orchestrated(session.id),
                activity,
                viewer,
                now,
            );
            (key, card)
        };
        kept.iter().filter_map(|(key, id)| customer.session(id).map(|session| card_of(*key, session))).collect()
    }

    /// Up to a page and one of `customer`'s visible cards after the cursor, in listing order.
    pub fn cards(
        &self,
        catalog: &Catalog,
        customer: &CustomerSessions,
        viewer: &Viewer,
        now: Option<Millis>,
    ) -> Vec<Listed> {
        let (listed, latest_web) = self.listed(customer, viewer);
        listed
            .into_iter()
            .map(|(key, s)| {
                let card = card::card(
                    catalog,
                    &customer.customer,
                    s,
                    customer.orchestrated(s.id),
                    customer.last_activity(s, latest_web),
                    viewer,
                    now,
                );
                (key, card)
            })
            .collect()
    }

    /// The page of `listed` (one or more customers' [`JourneyPaging::cards`]): the first `size`
    /// in listing order, and a cursor when more follow.
    pub fn page(&self, mut listed: Vec<Listed>) -> Page<SessionCard> {
        listed.sort_unstable_by_key(|(key, _)| *key);
        let more = listed.len() > self.size;
        listed.truncate(self.size);
        let next_cursor = more.then(|| listed.last().map(|(key, _)| cursor_of(*key).encode(JOURNEY_CURSOR))).flatten();
        Page { entities: listed.into_iter().map(|(_, card)| card).collect(), next_cursor }
    }
}

/// Up to `size + 1` listable sessions after `after`, in listing order, with the latest web event
/// the viewer may see. This one sorts every session: for customers with few.
fn sort_all<'c>(
    customer: &'c CustomerSessions,
    viewer: &Viewer,
    after: Option<Cursor>,
    size: usize,
) -> (Vec<(ListingKey, &'c Session)>, Option<Millis>) {
    let latest_web = customer.latest_web_event_in(|s| card::revives(s, viewer));
    let mut listed: Vec<(ListingKey, &Session)> = customer
        .iter()
        .filter(|s| card::listable(s, viewer))
        .map(|s| ((Reverse(customer.last_activity(s, latest_web)), s.id), s))
        .filter(|(key, _)| after.is_none_or(|cursor| *key > key_of(cursor)))
        .collect();
    listed.sort_unstable_by_key(|(key, _)| *key);
    listed.truncate(size + 1);
    (listed, latest_web)
}

/// As [`sort_all`], walking the customer's listing order from the cursor instead: O(log n + page).
/// Messaging conversations, whose activity depends on the viewer's web events, are placed by
/// their time for this viewer and merged in.
fn walk_index<'c>(
    customer: &'c CustomerSessions,
    index: &ActivityIndex,
    viewer: &Viewer,
    after: Option<Cursor>,
    size: usize,
) -> (Vec<(ListingKey, &'c Session)>, Option<Millis>) {
    let visible = |id: &Uuid| customer.session(id).filter(|s| card::listable(s, viewer));
    let revives = |id: &Uuid| customer.session(id).is_some_and(|s| card::revives(s, viewer));
    let latest_web = index.web_newest_first().find(|(_, id)| revives(id)).map(|(time, _)| time);
    let after = after.map(key_of);
    let messaging = index
        .messaging_from(latest_web, after)
        .filter_map(|id| visible(&id))
        .map(|s| ((Reverse(customer.last_activity(s, latest_web)), s.id), s));
    let others = index.from(after).filter_map(|id| visible(&id)).map(|s| ((Reverse(s.last_time()), s.id), s));
    let mut listed = Vec::with_capacity(size + 1);
    let mut messaging = messaging.peekable();
    let mut others = others.peekable();
    while listed.len() <= size {
        let next = match (messaging.peek(), others.peek()) {
            (Some(m), Some(o)) if m.0 < o.0 => messaging.next(),
            (_, Some(_)) => others.next(),
            (Some(_), None) => messaging.next(),
            (None, None) => None,
        };
        let Some(next) = next else { break };
        listed.push(next);
    }
    (listed, latest_web)
}

fn key_of(cursor: Cursor) -> ListingKey {
    (Reverse(cursor.time), cursor.id)
}

fn cursor_of((Reverse(time), id): ListingKey) -> Cursor {
    Cursor { time, id }
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

/// One session's card as the journey lists it to `viewer` (the caller has checked visibility).
pub(crate) fn session_card(
    catalog: &Catalog,
    customer: &CustomerSessions,
    session: &Session,
    viewer: &Viewer,
    now: Option<Millis>,
) -> SessionCard {
    let latest_web = customer.latest_web_event_in(|s| card::revives(s, viewer));
    card::card(
        catalog,
        &customer.customer,
        session,
        customer.orchestrated(session.id),
        customer.last_activity(session, latest_web),
        viewer,
        now,
    )
}

/// Whether the viewer may read this session's events: exactly the sessions `journey` lists to it
/// (division, and for custom and web sessions `journey:sessionType:view`). Any other session is
/// `NOT_FOUND`, worded as for an id that never existed, so a caller cannot tell the two apart.
pub(crate) fn visible(session: &Session, viewer: &Viewer) -> bool {
    card::listable(session, viewer)
}
