//! `nextEvents` as a Promise, with no thread waiting: the core's `NextEventsFuture` is polled on
//! the JS thread, and its waker calls a threadsafe function that polls it again there.
//!
//! An `AbortSignal` drops the future, which has taken nothing, and rejects with an `AbortError`. If
//! the abort comes after the poll took its events but before JS settled the Promise, the events
//! are released (SPEC §5.1): the next poll returns them again. Either way nothing is lost.

use crate::JsonObject;
use crate::error::JsResult;
use journey_core::{Engine, NextEvents, NextEventsFuture};
use napi::JsDeferred;
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Wake, Waker};

type Resolver = Box<dyn FnOnce(Env) -> Result<JsonObject>>;
type Deferred = JsDeferred<JsonObject, Resolver>;
/// Calls the JS-side step function; strong, so a pending poll keeps the process alive.
type StepFunction = ThreadsafeFunction<(), (), (), Status, false>;

/// One poll in progress.
struct State {
    engine: Arc<Engine>,
    session_id: String,
    future: Option<Pin<Box<NextEventsFuture>>>,
    deferred: Option<Deferred>,
    step: Option<Arc<StepFunction>>,
    aborted: bool,
}

type Shared = Arc<Mutex<State>>;

/// `EventTarget.prototype.addEventListener(type, listener)`.
type AddEventListener<'a> = Function<'a, FnArgs<(&'a str, Function<'a, (), ()>)>, Unknown<'a>>;

fn lock(state: &Shared) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Wakes a poll by asking the JS thread to poll it again.
struct StepWaker(Arc<StepFunction>);

impl Wake for StepWaker {
    fn wake(self: Arc<Self>) {
        self.0.call((), ThreadsafeFunctionCallMode::NonBlocking);
    }
}

/// Starts a poll and returns its Promise.
pub fn start<'env>(
    env: &'env Env,
    future: NextEventsFuture,
    engine: Arc<Engine>,
    session_id: String,
    signal: Option<Object<'_>>,
) -> Result<Object<'env>> {
    let (deferred, promise) = env.create_deferred::<JsonObject, Resolver>()?;
    let state: Shared = Arc::new(Mutex::new(State {
        engine,
        session_id,
        future: Some(Box::pin(future)),
        deferred: Some(deferred),
        step: None,
        aborted: false,
    }));
    if let Some(signal) = signal {
        if signal.get_named_property::<bool>("aborted")? {
            abort(env, &state);
            return Ok(promise);
        }
        listen_for_abort(env, &signal, state.clone())?;
    }
    let for_js = state.clone();
    let function = env.create_function_from_closure("journeyPollStep", move |_| {
        step(&for_js);
        Ok(())
    })?;
    let step_function: StepFunction = function.build_threadsafe_function().callee_handled::<false>().build()?;
    lock(&state).step = Some(Arc::new(step_function));
    step(&state);
    Ok(promise)
}

/// Polls the future once (on the JS thread); settles the Promise when it is done.
fn step(state: &Shared) {
    let mut poll = lock(state);
    let Some(function) = poll.step.clone() else { return };
    let Some(future) = poll.future.as_mut() else { return };
    let waker = Waker::from(Arc::new(StepWaker(function)));
    let std::task::Poll::Ready(result) = future.as_mut().poll(&mut Context::from_waker(&waker)) else { return };
    poll.future = None;
    poll.step = None; // lets the threadsafe function, and with it this closure, go
    let Some(deferred) = poll.deferred.take() else { return };
    drop(poll);
    let state = state.clone();
    deferred.resolve(Box::new(move |env| {
        let poll = lock(&state);
        if poll.aborted {
            // The caller gave up after the events were taken: hand them back.
            if let Ok(NextEvents::Events { events }) = &result
                && let Some(first) = events.first()
            {
                let _ = poll.engine.release(&poll.session_id, first.sequence);
            }
            return Err(abort_error(&env));
        }
        drop(poll);
        let value = result.map(|r| serde_json::to_value(r).unwrap_or_default());
        value.js(&env).map(JsonObject)
    }));
}

/// The signal fired (on the JS thread): a poll still waiting is dropped (it took nothing) and
/// rejected.
fn abort(env: &Env, state: &Shared) {
    let mut poll = lock(state);
    poll.aborted = true;
    poll.future = None;
    poll.step = None;
    if let Some(deferred) = poll.deferred.take() {
        deferred.reject(abort_error(env));
    }
}

fn listen_for_abort(env: &Env, signal: &Object<'_>, state: Shared) -> Result<()> {
    let listener = env.create_function_from_closure("journeyPollAbort", move |context| {
        abort(context.env, &state);
        Ok(())
    })?;
    let add: AddEventListener<'_> = signal.get_named_property("addEventListener")?;
    add.apply(signal, FnArgs::from(("abort", listener)))?;
    Ok(())
}

/// The rejection of an aborted poll: an `Error` named `AbortError` with code `ABORT_ERR`, like
/// those of `fetch` and `timers/promises`.
fn abort_error(env: &Env) -> Error {
    let make = || -> Result<Error> {
        let mut error = env.create_error(Error::from_reason("The operation was aborted"))?;
        error.set_named_property("name", "AbortError")?;
        error.set_named_property("code", "ABORT_ERR")?;
        Ok(Error::from(error.into_unknown(env)?))
    };
    make().unwrap_or_else(|e| e)
}
