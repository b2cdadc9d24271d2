//! The event-clock watermark of partitions in one process (SPEC §13 "Clock", docs/scale-out.md).
//!
//! One engine's event clock is the largest accepted event time so far. A partition sees only its
//! own events, so before an event at position `p` it must take, instead, the largest time accepted
//! by *any* partition before `p`: the watermark `W(p)`. That is known once every partition has
//! processed every position before `p`; a partition whose next position is the smallest of all
//! can always go on, so waiting never deadlocks.
//!
//! Waiting is needed only where the watermark can change an outcome: an event that might be late
//! (its time is below the largest time of *any* event before it, accepted or not, minus the
//! allowed lateness), or every event when retention sweeps by the clock. Others go on at once.

use crate::time::Millis;
use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, PoisonError};

/// The shared watermark of one batch's partitions.
pub struct Watermark {
    state: Mutex<State>,
    moved: Condvar,
}

struct State {
    /// Each partition's next position (`u64::MAX` once it has no more events).
    next: Vec<u64>,
    /// Every position before this one has been processed by its partition.
    frontier: u64,
    /// The largest time accepted before `frontier`.
    before_frontier: Option<Millis>,
    /// Times accepted at or after `frontier`, by position.
    ahead: BTreeMap<u64, Millis>,
}

impl Watermark {
    /// The watermark of partitions whose first events are at `first_positions` (`None`: a
    /// partition with no events).
    pub fn new(first_positions: &[Option<u64>]) -> Watermark {
        let next: Vec<u64> = first_positions.iter().map(|p| p.unwrap_or(u64::MAX)).collect();
        let frontier = next.iter().copied().min().unwrap_or(u64::MAX);
        let state = State { next, frontier, before_frontier: None, ahead: BTreeMap::new() };
        Watermark { state: Mutex::new(state), moved: Condvar::new() }
    }

    /// `W(position)`: the largest event time accepted by any partition before `position` (the
    /// caller's next position, or `u64::MAX` for the final watermark once all are done); waits
    /// until every partition has passed it. `None` while nothing was accepted.
    pub fn before(&self, position: u64) -> Option<Millis> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while state.frontier < position {
            state = self.moved.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
        state.before_frontier
    }

    /// Tells that `partition` processed its event at `position`, accepting an event at `accepted`
    /// (`None`: not accepted), and that its next event is at `next` (`None`: it has no more).
    pub fn processed(&self, partition: usize, position: u64, accepted: Option<Millis>, next: Option<u64>) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(time) = accepted {
            let slot = state.ahead.entry(position).or_insert(time);
            *slot = (*slot).max(time);
        }
        state.next[partition] = next.unwrap_or(u64::MAX);
        let frontier = state.next.iter().copied().min().unwrap_or(u64::MAX);
        while let Some((&at, &time)) = state.ahead.first_key_value() {
            if at >= frontier {
                break;
            }
            state.ahead.pop_first();
            state.before_frontier = Some(state.before_frontier.map_or(time, |max| max.max(time)));
        }
        state.frontier = frontier;
        drop(state);
        self.moved.notify_all();
    }
}

/// The largest event time of any event before each position (`None` before the first): an upper
/// bound of the watermark, which needs no engine, so a router computes it. `times` holds each
/// position's event time (`None` when unreadable).
pub fn upper_bounds(times: &[Option<Millis>]) -> Vec<Option<Millis>> {
    let mut max: Option<Millis> = None;
    times
        .iter()
        .map(|time| {
            let before = max;
            if let Some(time) = time {
                max = Some(max.map_or(*time, |m| m.max(*time)));
            }
            before
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn the_watermark_waits_for_every_partition_to_pass() {
        // Partition 0 holds positions 0 and 2, partition 1 holds 1 and 3.
        let watermark = Arc::new(Watermark::new(&[Some(0), Some(1)]));
        assert_eq!(watermark.before(0), None);
        let other = {
            let watermark = watermark.clone();
            std::thread::spawn(move || {
                // Position 3 waits until partition 0 has processed position 2.
                let seen = watermark.before(3);
                watermark.processed(1, 3, None, None);
                seen
            })
        };
        watermark.processed(0, 0, Some(100), Some(2));
        assert_eq!(watermark.before(1), Some(100), "position 1 sees what position 0 accepted");
        watermark.processed(1, 1, Some(300), Some(3));
        assert_eq!(watermark.before(2), Some(300));
        watermark.processed(0, 2, Some(200), None);
        assert_eq!(other.join().unwrap(), Some(300));
        assert_eq!(upper_bounds(&[Some(5), None, Some(3), Some(9)]), vec![None, Some(5), Some(5), Some(5)]);
    }
}
