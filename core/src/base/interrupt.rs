//! Stopping a long call early: a binding's Ctrl-C during a long poll or a large ingest.

use crate::base::error::{JourneyError, Result};
use std::time::{Duration, Instant};

/// How often an [`Interrupt`] is asked.
pub const INTERRUPT_EVERY: Duration = Duration::from_millis(100);

/// Asked at most every [`INTERRUPT_EVERY`] whether a long call should stop (Python checks for
/// signals there). A stopped call keeps what it did and fails with `INTERRUPTED`.
pub struct Interrupt<'f> {
    stop: Box<dyn FnMut() -> bool + Send + 'f>,
    every: Duration,
    next: Instant,
}

impl<'f> Interrupt<'f> {
    /// An interrupt that asks `stop`.
    pub fn new(stop: impl FnMut() -> bool + Send + 'f) -> Interrupt<'f> {
        Interrupt::every(stop, INTERRUPT_EVERY)
    }

    /// An interrupt asked before every step, for a `stop` as cheap as reading a flag (C's cancel
    /// token), so that a stop takes effect at the next line however fast lines go.
    pub fn each_time(stop: impl FnMut() -> bool + Send + 'f) -> Interrupt<'f> {
        Interrupt::every(stop, Duration::ZERO)
    }

    /// An interrupt asked at most every `interval`, the first time after it (tests use a long one,
    /// so that they do not depend on how fast the machine runs).
    fn every(stop: impl FnMut() -> bool + Send + 'f, interval: Duration) -> Interrupt<'f> {
        Interrupt { stop: Box::new(stop), every: interval, next: Instant::now() + interval }
    }

    /// `INTERRUPTED` when it is time to ask and `stop` says so.
    pub(crate) fn check(&mut self) -> Result<()> {
        let now = Instant::now();
        if now < self.next {
            return Ok(());
        }
        self.next = now + self.every;
        match (self.stop)() {
            true => Err(JourneyError::Interrupted("stopped by its caller".into())),
            false => Ok(()),
        }
    }

    /// `INTERRUPTED` when `stop` says so, asking now.
    pub(crate) fn check_now(&mut self) -> Result<()> {
        self.next = Instant::now();
        self.check()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_at_most_every_interval() {
        let mut asked = 0;
        // An hour: no machine, however slow (Miri), reaches it during the loop. (With the real 100 ms
        // interval this test failed under Miri, which runs the loop slower than that.)
        let mut interrupt = Interrupt::every(
            || {
                asked += 1;
                asked == 2
            },
            Duration::from_secs(3600),
        );
        for _ in 0..1000 {
            interrupt.check().unwrap();
        }
        drop(interrupt);
        assert_eq!(asked, 0, "not asked before the first interval");
        let mut asked = 0;
        let mut interrupt = Interrupt::new(|| {
            asked += 1;
            true
        });
        assert_eq!(interrupt.check_now().unwrap_err().code(), "INTERRUPTED");
    }
}
