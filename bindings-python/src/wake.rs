//! Waking asyncio long polls from the core's timer thread without deadlocking on the GIL.
//!
//! The core wakes a waiting poll from the engine's timer thread, and dropping an engine joins that
//! thread. A Python waker needs the GIL to tell the event loop, which opens two traps:
//!
//! - A thread holding the GIL drops the last reference to an engine while the timer thread waits
//!   for the GIL inside a wake: each waits for the other, forever (a script that hangs at exit).
//!   So everything here that owns an engine drops it with the GIL released ([`DropDetached`]).
//! - The timer thread asks for the GIL while the interpreter finalizes, which CPython answers by
//!   aborting the process ("PyGILState_Release: thread state must be current") or ending the
//!   thread under Rust's feet. So an `atexit` hook, which runs before finalization starts, stops
//!   every wake first ([`stop_wakes_at_exit`]): after it a wake does nothing, which loses nothing,
//!   since the event loops that would have been told are gone by then.

use pyo3::prelude::*;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Set by the `atexit` hook: from then on no wake calls into Python.
static EXITING: AtomicBool = AtomicBool::new(false);
/// Wakes between their check of [`EXITING`] and their return; the hook waits for them.
static WAKES_IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// A waker that calls a Python callable (with the GIL) when its poll should be polled again.
pub(crate) struct PyWaker(pub(crate) Py<PyAny>);

impl std::task::Wake for PyWaker {
    fn wake(self: Arc<Self>) {
        // Counted before the check, so that the hook either sees this wake in flight and waits
        // for it, or this wake sees the flag.
        WAKES_IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
        if !EXITING.load(Ordering::SeqCst) {
            // The callable schedules the next step on the event loop; if the loop is gone there
            // is no one left to tell.
            Python::attach(|py| drop(self.0.call0(py)));
        }
        WAKES_IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The `atexit` hook: no wake calls into Python after it returns.
#[pyfunction]
fn stop_wakes_at_exit(py: Python<'_>) {
    EXITING.store(true, Ordering::SeqCst);
    // A wake in flight may be waiting for the GIL this thread holds: let it go.
    py.detach(|| {
        while WAKES_IN_FLIGHT.load(Ordering::SeqCst) > 0 {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    });
}

/// Registers the `atexit` hook (at import).
pub(crate) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let hook = wrap_pyfunction!(stop_wakes_at_exit, module)?;
    module.py().import("atexit")?.call_method1("register", (hook,))?;
    Ok(())
}

/// Owns a value whose drop may join the engine's timer thread (an engine, or a poll holding
/// one), and drops it with the GIL released, so that a wake waiting for the GIL can finish.
pub(crate) struct DropDetached<T: Send>(Option<T>);

impl<T: Send> DropDetached<T> {
    pub(crate) fn new(value: T) -> Self {
        DropDetached(Some(value))
    }
}

impl<T: Send> Deref for DropDetached<T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.0.as_ref().expect("only a drop takes the value") // ok: only drop empties it
    }
}

impl<T: Send> DerefMut for DropDetached<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.0.as_mut().expect("only a drop takes the value") // ok: only drop empties it
    }
}

impl<T: Send> Drop for DropDetached<T> {
    fn drop(&mut self) {
        let Some(value) = self.0.take() else { return };
        // These values are dropped by Python (a dealloc or a method), so on a thread that holds
        // the GIL, which `try_attach` only confirms. When it cannot attach (the interpreter is
        // gone), the closure is dropped uncalled, and `value` with it, in place.
        let _ = Python::try_attach(|py| py.detach(move || drop(value)));
    }
}
