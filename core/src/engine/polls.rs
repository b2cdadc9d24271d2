//! Long polls that cost no thread while they wait (SPEC §5: 10,000 concurrent polls from asyncio or
//! Node run on a small, fixed number of threads).
//!
//! [`NextEventsFuture`] is a `std::future::Future` with the result of `next_events`. Polling it
//! takes events the way `next_events` does; when there are none, it leaves its `Waker` with the
//! agent and with the engine's one `Timer` thread, and returns `Pending`. A send, a release or a
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

use crate::base::error::Result;
use crate::engine::Engine;
use crate::engine::journal::Seq;
use crate::state::agent::waiting::{Signal, WatchId, watch_id};
use crate::state::agent::{NextEvents, deadline, max_events};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

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
