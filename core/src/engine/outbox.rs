//! A partition's outbox as the host sees it (docs/orchestration.md, "Partitions"): read the custom
//! events its maps fired, forward each to the agent's partition, acknowledge them.

use crate::base::error::Result;
use crate::engine::Engine;
use crate::engine::change::Change;
use crate::engine::command::Command;
use crate::state::agent::{AcknowledgeOutboxInput, OutboxEntry, OutboxQuery};

impl Engine {
    /// The outbox's entries after `query.after`, oldest first, at most `query.max` (1,000 when
    /// absent). Empty unless the engine runs with `orchestration.customEvents: "outbox"`.
    /// `INVALID_ARGUMENT` when `max` is not 1 to 100,000.
    pub fn outbox(&self, query: &OutboxQuery) -> Result<Vec<OutboxEntry>> {
        self.read_durably(|engine| engine.outbox.read(query))
    }

    /// Removes the outbox's entries up to sequence `through`, once the host has forwarded them;
    /// returns how many. A durable engine journals it, so a recovered outbox holds only what was
    /// not acknowledged.
    pub fn acknowledge_outbox(&self, through: u64) -> Result<usize> {
        let acknowledge = || Ok(self.outbox.acknowledge(through));
        // Recorded only when it removed something: acknowledging again changes nothing.
        let command = Command::AcknowledgeOutbox(AcknowledgeOutboxInput { through });
        let record = |removed: &usize| (*removed > 0).then(|| Change::Call(command.clone()));
        let (removed, seq) = self.change(self.clock.now(), acknowledge, record)?;
        self.settle(seq)?;
        Ok(removed)
    }
}
