//! What a long poll leaves behind while it waits (docs/architecture.md): the ids of wakers left
//! with an agent, the one [`Timer`] thread that wakes polls at their deadlines, and the [`Signal`]
//! a blocked thread sleeps on. The future itself, `NextEventsFuture`, is the engine's
//! (`engine/polls.rs`): it takes events through the change gate.

use std::collections::{BinaryHeap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::task::Waker;
use std::time::Instant;

/// The id of a waker left with an agent or the timer, to take it back.
pub(crate) type WatchId = u64;

/// A fresh [`WatchId`].
pub(crate) fn watch_id() -> WatchId {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A waker that a blocked thread sleeps on.
#[derive(Default)]
pub(crate) struct Signal {
    raised: Mutex<bool>,
    changed: Condvar,
}

impl Signal {
    /// Sleeps until raised (then lowers it and returns true) or `limit` passes (false).
    pub(crate) fn wait_for(&self, limit: std::time::Duration) -> bool {
        let raised = self.raised.lock().unwrap_or_else(PoisonError::into_inner);
        let (mut raised, _) =
            self.changed.wait_timeout_while(raised, limit, |raised| !*raised).unwrap_or_else(PoisonError::into_inner);
        std::mem::take(&mut *raised)
    }
}

impl std::task::Wake for Signal {
    fn wake(self: Arc<Self>) {
        *self.raised.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.changed.notify_all();
    }
}

/// Wakes wakers at their deadlines: one thread per engine, started with the first poll that waits,
/// stopped with the engine.
#[derive(Default)]
pub(crate) struct Timer {
    shared: Arc<TimerShared>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

#[derive(Default)]
struct TimerShared {
    state: Mutex<TimerState>,
    changed: Condvar,
}

#[derive(Default)]
struct TimerState {
    /// Deadlines, soonest first (`Reverse` makes the max-heap a min-heap).
    due: BinaryHeap<std::cmp::Reverse<(Instant, WatchId)>>,
    wakers: HashMap<WatchId, Waker>,
    stopping: bool,
}

impl Timer {
    /// Wakes `waker` at `deadline`, unless [`Timer::cancel`] takes it back first.
    pub fn at(&self, deadline: Instant, id: WatchId, waker: Waker) {
        let mut state = self.shared.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.due.push(std::cmp::Reverse((deadline, id)));
        state.wakers.insert(id, waker);
        drop(state);
        self.shared.changed.notify_one();
        self.start();
    }

    /// Takes back a waker; a deadline already past does nothing.
    pub fn cancel(&self, id: WatchId) {
        self.shared.state.lock().unwrap_or_else(PoisonError::into_inner).wakers.remove(&id);
    }

    fn start(&self) {
        let mut thread = self.thread.lock().unwrap_or_else(PoisonError::into_inner);
        if thread.is_none() {
            let shared = self.shared.clone();
            // If the thread cannot start, deadlines are still kept: the next poll of each future
            // sees that its deadline passed. Events wake polls without it.
            *thread = std::thread::Builder::new().name("journey-poll-timer".into()).spawn(move || run(&shared)).ok();
        }
    }
}

/// The timer thread: sleeps until the soonest deadline, wakes what is due, until stopped.
fn run(shared: &TimerShared) {
    let mut state = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        if state.stopping {
            return;
        }
        let now = Instant::now();
        let mut due = Vec::new();
        while let Some(std::cmp::Reverse((at, id))) = state.due.peek().copied() {
            if at > now {
                break;
            }
            state.due.pop();
            due.extend(state.wakers.remove(&id));
        }
        if !due.is_empty() {
            drop(state);
            due.into_iter().for_each(Waker::wake);
            state = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
            continue;
        }
        state = match state.due.peek().map(|std::cmp::Reverse((at, _))| *at) {
            Some(at) => shared.changed.wait_timeout(state, at - now).unwrap_or_else(PoisonError::into_inner).0,
            None => shared.changed.wait(state).unwrap_or_else(PoisonError::into_inner),
        };
    }
}

impl Drop for Timer {
    /// Stops the thread and joins it, so that once an engine is gone no code of its runs (a C host
    /// may unload the library). So a waker must never block on something the thread dropping the
    /// engine may hold: Rust's and C's wakers raise a flag, Node's queues a call to the JS thread
    /// without waiting, and Python's, which needs the GIL, is dropped with the GIL released by the
    /// Python binding (and stops calling into Python once the interpreter begins to exit).
    fn drop(&mut self) {
        self.shared.state.lock().unwrap_or_else(PoisonError::into_inner).stopping = true;
        self.shared.changed.notify_all();
        if let Some(thread) = self.thread.lock().unwrap_or_else(PoisonError::into_inner).take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::task::Wake;

    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn the_timer_wakes_at_deadlines_and_not_after_cancel() {
        let timer = Timer::default();
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(count.clone());
        let soon = Instant::now() + std::time::Duration::from_millis(20);
        timer.at(soon, 1, waker.clone());
        timer.at(soon, 2, waker);
        timer.cancel(2);
        while count.0.load(Ordering::SeqCst) == 0 {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        std::thread::sleep(std::time::Duration::from_millis(30));
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
    }
}
