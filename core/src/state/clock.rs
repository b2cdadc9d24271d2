//! The engine's notion of `now` (SPEC §7): wall, manual or event time.

use crate::base::error::{JourneyError, Result};
use crate::base::time::{Millis, wall_now};
use crate::model::config::ClockMode;
use std::sync::atomic::{AtomicI64, Ordering};

/// A clock shared by every thread of an engine. Reading it never takes a lock.
#[derive(Debug)]
pub struct Clock {
    mode: ClockMode,
    /// Manual: the current time. Event: the largest accepted event time (`i64::MIN` before any).
    millis: AtomicI64,
    /// While a journal is replayed, the recorded `now` of the record being applied ([`UNPINNED`]
    /// otherwise; `i64::MIN` for "no time yet"). Replay never reads the real clock (SPEC §11).
    pinned: AtomicI64,
}

/// The value of `Clock::pinned` when no record is being replayed.
const UNPINNED: i64 = i64::MAX;

impl Clock {
    /// A clock in `mode`; `start` sets a manual clock (default: the wall time now).
    pub fn new(mode: ClockMode, start: Option<Millis>) -> Self {
        let initial = match mode {
            ClockMode::Wall => 0,
            ClockMode::Manual => start.unwrap_or_else(wall_now),
            ClockMode::Event => i64::MIN,
        };
        Clock { mode, millis: AtomicI64::new(initial), pinned: AtomicI64::new(UNPINNED) }
    }

    /// A clock in `mode` that continues from a stored state (see [`Clock::state`]).
    pub(crate) fn restored(mode: ClockMode, state: Millis) -> Self {
        Clock { mode, millis: AtomicI64::new(state), pinned: AtomicI64::new(UNPINNED) }
    }

    /// What a snapshot keeps of the clock: a manual clock's time, or an event clock's latest event
    /// time (`i64::MIN` before any).
    pub(crate) fn state(&self) -> Millis {
        self.millis.load(Ordering::Acquire)
    }

    /// Makes `now()` return `now` until [`Clock::unpin`]: replay applies each record at its
    /// recorded time.
    pub(crate) fn pin(&self, now: Option<Millis>) {
        self.pinned.store(now.unwrap_or(i64::MIN), Ordering::Release);
    }

    /// Whether a record is being replayed.
    pub(crate) fn is_pinned(&self) -> bool {
        self.pinned.load(Ordering::Acquire) != UNPINNED
    }

    /// Ends [`Clock::pin`].
    pub(crate) fn unpin(&self) {
        self.pinned.store(UNPINNED, Ordering::Release);
    }

    /// The clock's mode.
    pub fn mode(&self) -> ClockMode {
        self.mode
    }

    /// The current time. An event clock that has seen no event returns `None`.
    pub fn now(&self) -> Option<Millis> {
        let pinned = self.pinned.load(Ordering::Acquire);
        if pinned != UNPINNED {
            return (pinned != i64::MIN).then_some(pinned);
        }
        match self.mode {
            ClockMode::Wall => Some(wall_now()),
            ClockMode::Manual => Some(self.millis.load(Ordering::Acquire)),
            ClockMode::Event => Some(self.millis.load(Ordering::Acquire)).filter(|&m| m != i64::MIN),
        }
    }

    /// Moves a manual clock forward by `millis`.
    pub fn advance(&self, millis: i64) -> Result<()> {
        self.require_manual("advance")?;
        self.millis
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |now| now.checked_add(millis))
            .map(|_| ())
            .map_err(|_| JourneyError::invalid_argument("advancing the clock that far overflows"))
    }

    /// Sets a manual clock to `millis` (backwards is allowed: tests replay corrections).
    pub fn set_now(&self, millis: Millis) -> Result<()> {
        self.require_manual("set_now")?;
        self.millis.store(millis, Ordering::Release);
        Ok(())
    }

    /// Moves an event clock to at least `millis`: the watermark a partition takes (SPEC §13), the
    /// largest event time accepted anywhere before its next event.
    pub fn raise_to(&self, millis: Millis) -> Result<()> {
        match self.mode {
            ClockMode::Event => {
                self.millis.fetch_max(millis, Ordering::AcqRel);
                Ok(())
            }
            _ => Err(JourneyError::invalid_argument("a watermark needs config.clock = \"event\"")),
        }
    }

    /// Tells an event clock that an event at `millis` was accepted.
    pub(crate) fn observe_event(&self, millis: Millis) {
        if self.mode == ClockMode::Event {
            self.millis.fetch_max(millis, Ordering::AcqRel);
        }
    }

    fn require_manual(&self, operation: &str) -> Result<()> {
        match self.mode {
            ClockMode::Manual => Ok(()),
            _ => Err(JourneyError::invalid_argument(format!("{operation} needs config.clock = \"manual\""))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = Clock::new(ClockMode::Manual, Some(1_000));
        clock.advance(500).unwrap();
        assert_eq!(clock.now(), Some(1_500));
        clock.set_now(10).unwrap();
        assert_eq!(clock.now(), Some(10));
        assert!(clock.advance(i64::MAX).is_err());
    }

    #[test]
    fn event_clock_follows_the_latest_event() {
        let clock = Clock::new(ClockMode::Event, None);
        assert_eq!(clock.now(), None);
        clock.observe_event(50);
        clock.observe_event(20);
        assert_eq!(clock.now(), Some(50));
        assert_eq!(clock.advance(1).unwrap_err().code(), "INVALID_ARGUMENT");
    }

    #[test]
    fn a_pinned_clock_reads_the_recorded_time() {
        let clock = Clock::new(ClockMode::Wall, None);
        clock.pin(Some(42));
        assert_eq!(clock.now(), Some(42));
        clock.pin(None);
        assert_eq!(clock.now(), None);
        clock.unpin();
        assert!(clock.now().unwrap() > 42);
    }
}
