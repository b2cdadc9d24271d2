//! What the engine remembers (docs/architecture.md): sessions per customer in a sharded store,
//! the agent's journey view, agent queues, web actions, path counting, statistics and the clock.
//! Nothing here takes a lock around a change or writes a journal: that is the engine's job.

pub mod action;
pub mod agent;
pub mod clock;
pub mod erased;
pub mod identity;
pub mod journey;
pub(crate) mod orchestration;
pub mod paths;
pub(crate) mod session;
pub mod stats;
pub(crate) mod store;
