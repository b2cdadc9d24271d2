//! Long polls that cost no thread while they wait (SPEC §5: 10,000 concurrent polls from asyncio or
//! Node run on a small, fixed number of threads).
//!
//! [`NextEventsFuture`] is a `std::future::Future` with the result of `next_events`. Polling it
//! takes events the way `next_events` does; when there are none, it leaves its `Waker` with the
//! agent and with the engine's one [`Timer`] thread, and returns `Pending`. A send, a release or a
//! logout on that agent wakes it; so does its deadline. A binding drives it from its own event loop
//! (asyncio, Node's), so nothing blocks there.
//!
//! On a durable engine, taking events is journaled, and the answer waits for that record to be
//! durable. The future never waits for the fsync on its caller's thread (an event loop): it
//! leaves its waker with the journal, whose sync thread flushes and wakes it.
//!
//! Dropping the future is cancelling the poll: until it completes it has taken nothing, so a
//! cancelled poll loses nothing (docs/decisions.md, "Nothing lost between the queue and the
//! caller"). A poll dropped while its taking waits to be durable hands the events back
//! ([`Engine::release`]), so they too are returned again.

use super::{NextEvents, deadline, max_events};
use crate::durable::Seq;
use crate::engine::Engine;
use crate::error::Result;
use std::collections::{BinaryHeap, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

/// The id of a waker left with an agent or the timer, to take it back.
pub(crate) type WatchId = u64;

/// A fresh [`WatchId`].
pub(crate) fn watch_id() -> WatchId {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The result of `next_events`, as a future (see the module docs). Made by
/// [`Engine::next_events_future`].
pub struct NextEventsFuture {
    engine: Arc<Engine>,
    session_id: String,
    max: usize,
    ack: Option<u64>,
    deadline: Instant,
    /// The waker left with the agent and the timer while `Pending`.
    watch: Option<WatchId>,
    /// The answer, taken, while its journal record becomes durable.
    settling: Option<(NextEvents, Seq)>,
    /// The last record made by a take that found nothing left (an acknowledgement), which the
    /// answer must not come before.
    settling_ack: Option<Seq>,
}

impl Engine {
    /// The long poll of [`Engine::next_events`], as a future that holds no thread while it waits.
    /// Argument errors (`max: 0`) come at once; a session error comes from the first poll.
    pub fn next_events_future(
        self: &Arc<Self>,
        session_id: &str,
        timeout_ms: i64,
        max: Option<usize>,
        ack: Option<u64>,
    ) -> Result<NextEventsFuture> {
        Ok(NextEventsFuture {
            engine: self.clone(),
            session_id: session_id.to_owned(),
            max: max_events(max)?,
            ack,
            deadline: deadline(timeout_ms),
            watch: None,
            settling: None,
            settling_ack: None,
        })
    }
}

impl NextEventsFuture {
    /// Waits on this thread until the poll completes, asking `interrupt` at least every
    /// [`crate::INTERRUPT_EVERY`]: `INTERRUPTED` when it says stop, and the poll took nothing.
    /// For blocking callers that must stay interruptible (Python's `next_events` and Ctrl-C).
    pub fn wait_interruptible(self, mut interrupt: crate::Interrupt<'_>) -> Result<NextEvents> {
        let signal = Arc::new(Signal::default());
        let waker = Waker::from(signal.clone());
        let mut future = std::pin::pin!(self);
        loop {
            if let Poll::Ready(result) = future.as_mut().poll(&mut Context::from_waker(&waker)) {
                return result;
            }
            if !signal.wait_for(crate::INTERRUPT_EVERY) {
                interrupt.check_now()?;
            }
        }
    }

    /// Takes back the wakers left while `Pending`.
    fn forget(&mut self) {
        if let Some(id) = self.watch.take() {
            self.engine.agents.unwatch(&self.session_id, id);
            self.engine.agents.timer().cancel(id);
        }
    }
}

impl Future for NextEventsFuture {
    type Output = Result<NextEvents>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some((_, seq)) = &self.settling {
            let settled = std::task::ready!(self.engine.poll_settled(Some(*seq), cx));
            let (answer, _) = self.settling.take().expect("settling");
            return Poll::Ready(settled.map(|()| answer));
        }
        self.forget();
        let id = watch_id();
        let this = &mut *self;
        // The readiness check and leaving the waker are one step under the agent's lock, so a send
        // between them cannot be missed. Past the deadline, the poll times out as `next_events` does.
        let waiting = match this.engine.agents.watch(&this.session_id, this.ack, id, cx.waker()) {
            Ok(waiting) => waiting,
            Err(error) => return Poll::Ready(Err(error)),
        };
        if !waiting || Instant::now() >= this.deadline {
            this.engine.agents.unwatch(&this.session_id, id);
            // Nothing waits for events any more: take them as the blocking poll does, without
            // waiting, then let the record become durable without blocking this thread.
            let taken = this.engine.take_next_events(&this.session_id, Instant::now(), this.max, this.ack);
            return match taken {
                Err(error) => Poll::Ready(Err(error)),
                Ok((NextEvents::Timeout, seq)) if Instant::now() < this.deadline => {
                    // Another poller took the events first: wait again (the acknowledgement this
                    // made is settled by whatever the poll answers in the end).
                    this.settling_ack = this.settling_ack.max(seq);
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
                Ok((answer, seq)) => match seq.max(this.settling_ack) {
                    None => Poll::Ready(Ok(answer)),
                    Some(seq) => {
                        this.settling = Some((answer, seq));
                        Pin::new(this).poll(cx)
                    }
                },
            };
        }
        this.engine.agents.timer().at(this.deadline, id, cx.waker().clone());
        this.watch = Some(id);
        Poll::Pending
    }
}

impl Drop for NextEventsFuture {
    /// A dropped poll is a cancelled one: it took nothing, and leaves nothing behind. One dropped
    /// while what it took becomes durable hands it back (journaled, without waiting for an fsync:
    /// a drop must not block).
    fn drop(&mut self) {
        self.forget();
        if let Some((NextEvents::Events { events }, _)) = self.settling.take()
            && let Some(first) = events.first()
        {
            // A failed journal refuses the release too; then nothing is recovered past it anyway.
            let _ = self.engine.release_unsettled(&self.session_id, first.sequence);
        }
    }
}

/// A waker that a blocked thread sleeps on.
#[derive(Default)]
struct Signal {
    raised: Mutex<bool>,
    changed: Condvar,
}

impl Signal {
    /// Sleeps until raised (then lowers it and returns true) or `limit` passes (false).
    fn wait_for(&self, limit: std::time::Duration) -> bool {
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
