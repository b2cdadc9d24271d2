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

pub mod action;
pub mod agent;
pub mod batch;
pub mod catalog;
pub mod checkpoint;
pub mod clock;
pub mod command;
pub mod config;
mod durable;
pub mod duration;
pub mod engine;
pub mod error;
pub mod event;
#[cfg(feature = "schema")]
pub mod forms;
mod gate;
mod ingest;
mod interrupt;
pub mod journey;
pub mod json;
pub mod outcome;
pub mod partition;
pub mod paths;
mod retention;
mod session;
mod shard;
#[cfg(feature = "stages")]
pub mod stages;
pub mod stats;
mod store;
pub mod stream;
pub mod time;
mod validate;

pub use action::{ActionEvent, ActionRecord, ActionState, Callback, MediaType, Pattern, SubscriptionId};
pub use agent::{
    AgentEvent, AgentSession, CustomEventRequest, DEFAULT_TIMEOUT_MS, Delivery, NextEvents, NextEventsFuture,
    NextEventsRequest, ReleaseRequest, Released, SendResult,
};
pub use batch::{Batch, BatchResult, Outcomes};
pub use catalog::{Catalog, SessionKind};
pub use command::Command;
pub use config::{ClockMode, Config, RecoverTo, StoreConfig, SyncMode, UnknownAttributes};
pub use durable::Recovery;
pub use duration::Duration;
pub use engine::Engine;
pub use error::{JourneyError, Result, Violation, ViolationCode, parse_input};
pub use event::{Customer, IdType};
pub use interrupt::{INTERRUPT_EVERY, Interrupt};
pub use journey::{
    EventView, JourneyQuery, Page, PageRequest, SessionCard, SessionEventsQuery, SessionStatus, Viewer,
    query_from_value,
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
