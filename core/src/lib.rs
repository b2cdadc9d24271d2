//! # journey-core
//!
//! The engine of libjourney: an embedded customer-journey tracker. It validates events against a
//! catalog of session and event types, groups them into custom, web and conversation sessions, and
//! shows an agent a customer's journey with live, idle and inactive status, permissions and divisions.
//!
//! Every operation takes and returns values with the JSON forms of SPEC §9, so that the C, Python and
//! Node bindings only convert. Start with [`Engine`].
//!
//! ```
//! use journey_core::{Catalog, Config, Engine, Customer, IdType, Viewer, PageRequest};
//!
//! let catalog = Catalog::from_json(r#"{"sessionTypes": [{"name": "delivery", "kind": "custom",
//!     "eventTypes": [{"name": "product_purchased"}]}]}"#)?;
//! let engine = Engine::new(catalog, Config::from_json(r#"{"clock": "manual", "start": "2026-11-21T10:00:00Z"}"#)?)?;
//! let outcome = engine.ingest_json(br#"{"eventName": "product_purchased", "createdDate": "2026-11-21T10:00:00Z",
//!     "customer": {"id": "cust-42", "idType": "email"}, "session": {"type": "delivery", "externalId": "order-1"}}"#)?;
//! assert_eq!(outcome.status(), "accepted");
//! let viewer = Viewer::new(["journey:session:view", "journey:sessionType:view"], ["*"]);
//! let page = engine.journey(&Customer::new("cust-42", IdType::Email), &viewer, &PageRequest::default())?;
//! assert_eq!(page.entities[0].event_count, 1);
//! # Ok::<(), journey_core::JourneyError>(())
//! ```

#![warn(missing_docs)]

// The layers, lowest first (docs/architecture.md); `core/tests/layers.rs` checks that no module
// uses one above its own.
mod base;
mod durable;
pub mod engine;
#[cfg(feature = "schema")]
pub mod forms;
mod model;
pub mod partition;
#[cfg(feature = "stages")]
pub mod stages;
mod state;

// The public modules under the names they had before the layers, so the API does not depend on
// the layout.
pub use base::{duration, error, json, time};
pub use engine::assignments::{CustomerSegment, SegmentsQuery};
pub use engine::explain::{Estimate, EstimateQuery, ExplainQuery, MapExplanation};
pub use engine::{batch, checkpoint, command, erase, identity, stream};
pub use model::{catalog, config, event, outcome};
pub use state::{action, agent, clock, journey, paths, stats};

pub use action::{
    ActionEvent, ActionRecord, ActionState, Callback, MediaType, Notification, Pattern, SubscriptionId, Trigger,
};
pub use agent::{
    AcknowledgeOutboxInput, AgentEvent, AgentSession, CustomEventRequest, DEFAULT_TIMEOUT_MS, Delivery, NextEvents,
    NextEventsRequest, OutboxEntry, OutboxQuery, ReleaseRequest, Released, SendResult,
};
pub use base::interrupt::{INTERRUPT_EVERY, Interrupt};
pub use batch::{Batch, BatchResult, Outcomes};
pub use catalog::{Catalog, SessionKind};
pub use command::Command;
pub use config::{ClockMode, Config, OrchestrationConfig, RecoverTo, StoreConfig, SyncMode, UnknownAttributes};
pub use duration::Duration;
pub use engine::{Engine, NextEventsFuture, Recovery};
pub use error::{JourneyError, Result, Violation, ViolationCode, parse_input};
pub use event::{Customer, IdType};
pub use journey::{
    EventView, JourneyQuery, OutcomeAchievement, Page, PageRequest, SegmentAssignment, SessionCard, SessionEventsQuery,
    SessionStatus, Viewer, query_from_value,
};
pub use outcome::{BatchOutcome, Outcome};
pub use stats::Stats;
pub use stream::{
    DEFAULT_KEPT_REJECTIONS, IngestFileOptions, LineRejection, Progress, ProgressFn, StreamSource, StreamSummary,
};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
