//! Cancel tokens: a blocked `journey_next_events` that another thread can stop.
//!
//! A poll given a token waits on the core's `NextEventsFuture`, sleeping on a condition variable
//! between wakes. `journey_cancel` marks the token and wakes every poll waiting with it; each drops
//! its future, which has taken nothing, so a cancelled poll loses nothing (SPEC §5.1).

use crate::error::{Failure, guard};
use crate::status::JourneyStatus;
use journey_core::{Engine, NextEvents};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};

/// A cancel token for `journey_next_events` and `journey_ingest_file`. Opaque. Safe to use from many threads at once.
#[derive(Default)]
pub struct JourneyCancel {
    cancelled: AtomicBool,
    /// The signals of the polls waiting with this token, to wake when it fires.
    waiting: Mutex<Vec<Arc<Signal>>>,
}

impl JourneyCancel {
    /// Whether `journey_cancel` fired this token.
    pub(crate) fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Acquire)
    }

    fn waiting(&self) -> std::sync::MutexGuard<'_, Vec<Arc<Signal>>> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What a waiting poll sleeps on: set by its waker, and by its token firing.
#[derive(Default)]
struct Signal {
    raised: Mutex<bool>,
    changed: Condvar,
}

impl Signal {
    fn raise(&self) {
        *self.raised.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.changed.notify_all();
    }

    /// Sleeps until raised, then lowers it.
    fn wait(&self) {
        let mut raised = self.raised.lock().unwrap_or_else(PoisonError::into_inner);
        while !*raised {
            raised = self.changed.wait(raised).unwrap_or_else(PoisonError::into_inner);
        }
        *raised = false;
    }
}

impl Wake for Signal {
    fn wake(self: Arc<Self>) {
        self.raise();
    }
}

/// The long poll, on this thread, stopped early by `cancel`: `Err(Failure::Cancelled)` then.
pub(crate) fn next_events(
    engine: &Arc<Engine>,
    session_id: &str,
    timeout_ms: i64,
    max: Option<usize>,
    ack: Option<u64>,
    cancel: &JourneyCancel,
) -> Result<NextEvents, Failure> {
    let mut future = Box::pin(engine.next_events_future(session_id, timeout_ms, max, ack)?);
    let signal = Arc::new(Signal::default());
    cancel.waiting().push(signal.clone());
    let waker = Waker::from(signal.clone());
    let result = loop {
        if cancel.cancelled.load(Ordering::Acquire) {
            break Err(Failure::Cancelled("the poll was cancelled; it took nothing"));
        }
        if let Poll::Ready(result) = future.as_mut().poll(&mut Context::from_waker(&waker)) {
            break result.map_err(Failure::from);
        }
        signal.wait();
    };
    cancel.waiting().retain(|waiting| !Arc::ptr_eq(waiting, &signal));
    result
}

/// Makes a cancel token for `journey_next_events`.
///
/// On success `*out` is a new token: free it with `journey_cancel_free` once no poll uses it.
///
/// @param out Receives the token.
/// @return `JOURNEY_OK`, `JOURNEY_NULL_ARGUMENT`.
///
/// Thread-safe.
///
/// # Safety
/// `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_cancel_new(out: *mut *mut JourneyCancel) -> JourneyStatus {
    guard(|| {
        // SAFETY: the caller promises `out` is NULL or writable.
        let slot = unsafe { out.as_mut() }.ok_or(Failure::Null("out"))?;
        *slot = Box::into_raw(Box::default());
        Ok(())
    })
}

/// Fires a token: every `journey_next_events` waiting with it returns `JOURNEY_CANCELLED` at
/// once, having taken nothing, and so does every later one given it. Call it from any thread.
///
/// @param cancel A live token.
/// @return `JOURNEY_OK`, `JOURNEY_NULL_ARGUMENT`.
///
/// Thread-safe.
///
/// # Safety
/// `cancel` is NULL or a live token.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_cancel(cancel: *const JourneyCancel) -> JourneyStatus {
    guard(|| {
        // SAFETY: the caller promises a live token or NULL.
        let cancel = unsafe { cancel.as_ref() }.ok_or(Failure::Null("cancel"))?;
        cancel.cancelled.store(true, Ordering::Release);
        cancel.waiting().iter().for_each(|signal| signal.raise());
        Ok(())
    })
}

/// Frees a token. NULL does nothing.
///
/// @param cancel A token from journey_cancel_new(), or NULL.
///
/// # Safety
/// `cancel` is NULL or a token from `journey_cancel_new` that no poll uses any more.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_cancel_free(cancel: *mut JourneyCancel) {
    if !cancel.is_null() {
        // SAFETY: made by Box::into_raw in `journey_cancel_new`, freed once.
        drop(unsafe { Box::from_raw(cancel) });
    }
}
