//! The engine's state as a whole, for a snapshot (docs/architecture.md, "The `Change` seam").
//!
//! A snapshot is an [`ImageHeader`] (what the state was built under, and how many of each part
//! follow) and the parts, each in its state module's saved form: every customer's sessions, every
//! event id with its digest, every agent ([`agent::Saved`]), every action ([`action::Saved`]),
//! the host's last checkpoint, the orchestration definitions (their saved JSON text), a
//! partition's outbox, the names of the open event types the events created, and the links
//! between identifiers (docs/identity.md). The
//! engine hands the parts out one at a time as it reads them from its shards, so a snapshot never
//! holds a second copy of the state in memory; `durable/` decides the file format, and never reads
//! the engine's fields.

use crate::base::error::{JourneyError, Result};
use crate::base::time::Millis;
use crate::engine::Engine;
use crate::engine::checkpoint::LastCheckpoint;
use crate::engine::retention::Sweeps;
use crate::model::catalog::Catalog;
use crate::model::config::Config;
use crate::model::event::Customer;
use crate::model::event::{Digest, DigestKey};
use crate::state::clock::Clock;
use crate::state::erased::ErasedId;
use crate::state::identity::{Ask, Graph};
use crate::state::orchestration::CustomerState;
use crate::state::session::CustomerSessions;
use crate::state::stats::{Counters, Stats};
use crate::state::{action, agent};
use uuid::Uuid;

/// What an image's state was built under, and how many of each part follow.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct ImageHeader {
    /// The catalog, as JSON text.
    pub catalog: String,
    /// The config, as JSON text.
    pub config: String,
    pub digest_key: DigestKey,
    /// The clock's time ([`Clock::state`]).
    pub clock: Millis,
    /// The last retention sweep's cutoffs ([`Sweeps::state`]).
    pub sweeps: (Millis, Millis),
    /// The counters of format 1; orchestration's are in [`OrchestrationHead`].
    #[serde(with = "crate::state::stats::header_form")]
    pub stats: Stats,
    pub customers: u64,
    pub event_ids: u64,
    pub agents: u64,
    pub actions: u64,
}

/// One part of an image, borrowed from the engine while it is written.
pub(crate) enum ImagePart<'a> {
    /// One customer's sessions.
    Customer(&'a CustomerSessions),
    /// An accepted event's id and content digest.
    EventId(Uuid, Digest),
    /// One agent.
    Agent(&'a str, &'a agent::AgentState),
    /// One action's state.
    Action(action::Saved),
    /// The host's last checkpoint value, as JSON text.
    Checkpoint(Option<Box<str>>),
    /// The segments, outcomes and action maps as JSON text (`Definitions::saved`); `None` when
    /// there are none.
    Definitions(Option<String>),
    /// Orchestration's counters, and how many customers' orchestration states follow.
    Orchestration(OrchestrationHead),
    /// What orchestration remembers about one customer.
    CustomerOrchestration(&'a Customer, &'a CustomerState),
    /// A partition's outbox as JSON text; `None` when it was never used.
    Outbox(Option<String>),
    /// The open event types' names (docs/decisions.md), by session type name, each list in the
    /// order events created them: stored events number them by that order.
    OpenEventTypes(Vec<(String, Vec<String>)>),
    /// Identity's counters, and how many asks follow (docs/identity.md).
    Identity(IdentityHead),
    /// One ask for links, with what the rules decided; links and profiles are rebuilt from the
    /// asks on load, without deciding them again.
    Ask(&'a Ask),
    /// Erasure's counters, and how many erased events' ids follow (docs/identity.md, "Erasure").
    Erasure(ErasureHead),
    /// An erased event's id, kept for dedupe until retention would have evicted it.
    ErasedId(ErasedId),
}

/// The head of an image's erasure parts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct ErasureHead {
    /// `customersErased`, `eventsErased`, in the order of `Counter::ERASURE`.
    pub counters: [u64; 2],
    /// How many [`ImagePart::ErasedId`] parts follow.
    pub ids: u64,
}

/// The head of an image's identity parts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct IdentityHead {
    /// `identityLinks`, `identityBlocked`, `identityLimited`, in the order of `Counter::IDENTITY`.
    pub counters: [u64; 3],
    /// How many [`ImagePart::Ask`] parts follow.
    pub asks: u64,
    /// The order the next ask gets.
    pub next_order: u64,
}

/// The head of an image's orchestration parts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct OrchestrationHead {
    /// `segmentsAssigned` … `actionMapsCapped`, in the order of `Counter::ORCHESTRATION`.
    pub counters: [u64; 5],
    /// How many [`ImagePart::CustomerOrchestration`] parts follow.
    pub customers: u64,
}

/// An image read back: the header and every part, owned.
pub(crate) struct Image {
    pub header: ImageHeader,
    pub customers: Vec<CustomerSessions>,
    pub event_ids: Vec<(Uuid, Digest)>,
    pub agents: Vec<agent::Saved>,
    pub actions: Vec<action::Saved>,
    /// The last checkpoint's value, as JSON text.
    pub checkpoint: Option<String>,
    /// The definitions, as JSON text; `None` when there were none.
    pub definitions: Option<String>,
    /// Orchestration's counters.
    pub orchestration: OrchestrationHead,
    /// What orchestration remembers, per customer.
    pub customer_orchestration: Vec<(Customer, CustomerState)>,
    /// A partition's outbox, as JSON text.
    pub outbox: Option<String>,
    /// The open event types' names, by session type name, in order.
    pub open_event_types: Vec<(String, Vec<String>)>,
    /// Identity's counters.
    pub identity: IdentityHead,
    /// The asks for links between identifiers.
    pub asks: Vec<Ask>,
    /// Erasure's counters.
    pub erasure: ErasureHead,
    /// The erased events' ids.
    pub erased_ids: Vec<ErasedId>,
    /// Whether the image was written by an engine that reads events' `identifiers` (snapshot
    /// format 6 and later); the journal after an older one is replayed ignoring them.
    pub reads_identifiers: bool,
}

/// Gives `catalog` the open event types an image names, in their order, so that each gets the
/// index its stored events hold; an image that names one the catalog cannot hold there does not
/// belong to it.
fn restore_open_names(catalog: &Catalog, names: &[(String, Vec<String>)]) -> Result<()> {
    for (session_type, names) in names {
        for (place, name) in names.iter().enumerate() {
            let expected = catalog.session_type_index(session_type).map(|i| catalog.session_type(i).event_types.len());
            let index = catalog.restore_open_name(session_type, name);
            if index.is_none() || index != expected.map(|declared| declared + place) {
                let message = format!("'{session_type}' cannot hold the open event type '{name}' at its place {place}");
                return Err(JourneyError::invalid_argument(message));
            }
        }
    }
    Ok(())
}

impl Engine {
    /// The header of the engine's image now. The caller holds the gate exclusively, so the counts
    /// match the parts [`Engine::each_image_part`] then hands out.
    pub(crate) fn image_header(&self) -> ImageHeader {
        ImageHeader {
            catalog: self.catalog.to_json().to_string(),
            config: self.config.to_json().to_string(),
            digest_key: self.digest_key,
            clock: self.clock.state(),
            sweeps: self.sweeps.state(),
            stats: self.counters.snapshot(),
            customers: self.store.customer_count() as u64,
            event_ids: self.store.event_id_count() as u64,
            agents: self.agents.count() as u64,
            actions: self.actions.count() as u64,
        }
    }

    /// Hands every part of the engine's image to `visit`, in the order of [`ImagePart`]'s variants.
    pub(crate) fn each_image_part(&self, mut visit: impl FnMut(ImagePart<'_>)) {
        self.store.each_customer(|customer| visit(ImagePart::Customer(customer)));
        self.store.each_event_id(|id, digest| visit(ImagePart::EventId(id, digest)));
        self.agents.each(|id, state| visit(ImagePart::Agent(id, state)));
        self.actions.each(|action| visit(ImagePart::Action(action)));
        visit(ImagePart::Checkpoint(self.last_checkpoint.text()));
        let rules = self.rules.current();
        visit(ImagePart::Definitions((!rules.definitions.is_empty()).then(|| rules.definitions.saved())));
        let mut customers = 0;
        self.store.each_customer(|sessions| customers += sessions.orchestration.is_some() as u64);
        let counters = self.counters.snapshot().orchestration_counters();
        visit(ImagePart::Orchestration(OrchestrationHead { counters, customers }));
        self.store.each_customer(|sessions| {
            if let Some(state) = &sessions.orchestration {
                visit(ImagePart::CustomerOrchestration(&sessions.customer, state));
            }
        });
        visit(ImagePart::Outbox(self.outbox.saved()));
        visit(ImagePart::OpenEventTypes(self.catalog.open_names()));
        let graph = self.identity.read();
        let counters = self.counters.snapshot().identity_counters();
        let head = IdentityHead { counters, asks: graph.ask_count() as u64, next_order: graph.next_order() };
        visit(ImagePart::Identity(head));
        graph.asks().for_each(|ask| visit(ImagePart::Ask(&ask)));
        drop(graph);
        let erased = self.store.erased().saved();
        let counters = self.counters.snapshot().erasure_counters();
        visit(ImagePart::Erasure(ErasureHead { counters, ids: erased.len() as u64 }));
        erased.into_iter().for_each(|id| visit(ImagePart::ErasedId(id)));
    }

    /// An engine holding an image's state, under the catalog and config it was made with. A
    /// stored catalog or config that does not load is reported through `stored(what, error)`.
    pub(crate) fn from_image(image: Image, stored: impl Fn(&str, JourneyError) -> JourneyError) -> Result<Engine> {
        let header = image.header;
        let config = Config::from_json(&header.config).map_err(|e| stored("config", e))?;
        let catalog = Catalog::from_json_with_limits(&header.catalog, &config).map_err(|e| stored("catalog", e))?;
        restore_open_names(&catalog, &image.open_event_types).map_err(|e| stored("open event types", e))?;
        let mut engine = Engine::new(catalog, config)?;
        engine.clock = Clock::restored(engine.config.clock, header.clock);
        let mut stats = header.stats;
        stats.set_orchestration_counters(image.orchestration.counters);
        stats.set_identity_counters(image.identity.counters);
        stats.set_erasure_counters(image.erasure.counters);
        engine.counters = Counters::restored(&stats);
        engine.digest_key = header.digest_key;
        engine.sweeps = Sweeps::restored(header.sweeps);
        engine.last_checkpoint = LastCheckpoint::restored(image.checkpoint);
        engine.identity =
            crate::engine::identity::Identity::from_graph(Graph::from_asks(image.asks, image.identity.next_order));
        engine.reads_identifiers = image.reads_identifiers;
        let mut states: std::collections::HashMap<Customer, CustomerState> =
            image.customer_orchestration.into_iter().collect();
        for mut customer in image.customers {
            if let Some(state) = states.remove(&customer.customer) {
                if let Some(due) = state.next_due() {
                    engine.due.add(due, customer.customer.clone());
                }
                customer.orchestration = Some(Box::new(state));
            }
            engine.store.restore_customer(customer);
        }
        image.event_ids.into_iter().for_each(|(id, digest)| engine.store.restore_event_id(id, digest));
        engine.store.erased().keep(image.erased_ids);
        image.agents.into_iter().for_each(|agent| engine.agents.restore(&agent.id, agent.state));
        image.actions.into_iter().for_each(|action| engine.actions.restore(action));
        if let Some(text) = image.definitions {
            engine.restore_definitions(&text).map_err(|e| stored("definitions", e))?;
        }
        if let Some(text) = image.outbox {
            let unreadable = |message: String| stored("outbox", JourneyError::invalid_argument(message));
            engine.outbox.restore(&text).map_err(unreadable)?;
        }
        Ok(engine)
    }

    /// Takes a host's catalog and config for an engine restored from an image: the config replaces
    /// the stored one (except a manual clock's `start`: the clock goes on from where it was); the
    /// catalog must be the stored one or an upgrade of it (`INVALID_CATALOG` otherwise). Returns
    /// the engine, whether the catalog was upgraded, and whether either changed.
    pub(crate) fn reconfigured(mut self, catalog: Catalog, config: Config) -> Result<(Engine, bool, bool)> {
        let upgraded = catalog != self.catalog;
        if upgraded {
            self = self.with_catalog(catalog)?;
        }
        if let Some(key) = config.digest_key
            && key != self.digest_key
        {
            return Err(JourneyError::InvalidConfig {
                key: "digestKey".into(),
                message: "differs from the store's: its stored digests would no longer compare".into(),
            });
        }
        let config = Config { start: self.config.start, ..config };
        // A store from before identity was replayed ignoring `identifiers`; records from now on
        // read them, so the state is fixed in a snapshot of the current format first.
        let identity_begins = !self.reads_identifiers;
        self.reads_identifiers = true;
        let reconfigured = config != self.config || identity_begins;
        if reconfigured {
            let clock = self.clock.state();
            self.clock = Clock::restored(config.clock, clock);
            self.config = config;
        }
        Ok((self, upgraded, upgraded || reconfigured))
    }

    /// The engine under an upgraded catalog: `INVALID_CATALOG` unless `catalog` only adds to the
    /// stored one.
    fn with_catalog(mut self, catalog: Catalog) -> Result<Engine> {
        let remap = crate::model::catalog::plan_upgrade(&self.catalog, &catalog)?;
        catalog.check_limits(&self.config)?;
        self.store.remap(&remap);
        // Evaluation's indices follow the catalog's; the definitions stay valid, as an upgrade
        // only adds to the catalog.
        self.rules.recompile(&catalog);
        self.catalog = catalog;
        Ok(self)
    }
}
