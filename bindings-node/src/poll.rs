//! `nextEvents` as a Promise, with no thread waiting: the core's `NextEventsFuture` is polled on
//! the JS thread, and its waker calls a threadsafe function that polls it again there. The step
//! that sees the future complete settles the Promise then and there, so an answer is never in
//! flight between the queue and JS.
//!
//! An `AbortSignal` drops the future, which has taken nothing, and rejects with an `AbortError`.
//! The signal's listener and the step both run on the JS thread, so an abort either comes before
//! the poll took its events or after the Promise already holds them: nothing is lost either way.

use crate::JsonObject;
use crate::error::JsResult;
use journey_core::NextEventsFuture;
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Wake, Waker};

/// Calls the JS-side step function; strong, so a pending poll keeps the process alive.
type StepFunction = ThreadsafeFunction<(), (), (), Status, false>;

/// One poll in progress.
struct State {
    future: Option<Pin<Box<NextEventsFuture>>>,
    /// The Promise's `resolve` and `reject`, until one of them is called.
    settle: Option<(FunctionRef<JsonObject, ()>, FunctionRef<Error, ()>)>,
    step: Option<Arc<StepFunction>>,
}

type Shared = Arc<Mutex<State>>;

/// `EventTarget.prototype.addEventListener(type, listener)`.
type AddEventListener<'a> = Function<'a, FnArgs<(&'a str, Function<'a, (), ()>)>, Unknown<'a>>;

/// `new Promise(executor)`.
type PromiseConstructor<'a> = Function<'a, Function<'a, (), ()>, Unknown<'a>>;

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
pub fn start<'env>(env: &'env Env, future: NextEventsFuture, signal: Option<Object<'_>>) -> Result<Object<'env>> {
    let state: Shared = Arc::new(Mutex::new(State { future: Some(Box::pin(future)), settle: None, step: None }));
    let promise = new_promise(env, &state)?;
    if let Some(signal) = signal {
        if signal.get_named_property::<bool>("aborted")? {
            abort(env, &state);
            return Ok(promise);
        }
        listen_for_abort(env, &signal, state.clone())?;
    }
    let for_js = state.clone();
    let function = env.create_function_from_closure("journeyPollStep", move |context| {
        step(context.env, &for_js);
        Ok(())
    })?;
    let step_function: StepFunction = function.build_threadsafe_function().callee_handled::<false>().build()?;
    lock(&state).step = Some(Arc::new(step_function));
    step(env, &state);
    Ok(promise)
}

/// A Promise whose `resolve` and `reject` the poll keeps (the executor runs synchronously).
fn new_promise<'env>(env: &'env Env, state: &Shared) -> Result<Object<'env>> {
    let for_executor = state.clone();
    let executor = env.create_function_from_closure("journeyPollExecutor", move |context| {
        lock(&for_executor).settle = Some((context.get(0)?, context.get(1)?));
        Ok(())
    })?;
    let constructor: PromiseConstructor<'env> = env.get_global()?.get_named_property("Promise")?;
    let promise = constructor.new_instance(executor)?;
    // SAFETY: `promise` is an object (a Promise) made in this call's scope, which `'env` spans.
    unsafe { Object::from_napi_value(env.raw(), promise.raw()) }
}

/// Polls the future once (on the JS thread); settles the Promise when it is done.
fn step(env: &Env, state: &Shared) {
    let mut poll = lock(state);
    let Some(function) = poll.step.clone() else { return };
    let Some(future) = poll.future.as_mut() else { return };
    let waker = Waker::from(Arc::new(StepWaker(function)));
    let std::task::Poll::Ready(result) = future.as_mut().poll(&mut Context::from_waker(&waker)) else { return };
    poll.future = None;
    poll.step = None; // lets the threadsafe function, and with it this closure, go
    let settle = poll.settle.take();
    drop(poll);
    let value = result.map(|r| serde_json::to_value(r).unwrap_or_default()).js(env);
    settle_with(env, settle, value.map(JsonObject));
}

/// Calls the Promise's `resolve` or `reject`. Failing to call them means the environment is
/// going away, with no one left to tell.
fn settle_with(
    env: &Env,
    settle: Option<(FunctionRef<JsonObject, ()>, FunctionRef<Error, ()>)>,
    outcome: Result<JsonObject>,
) {
    let Some((resolve, reject)) = settle else { return };
    let _ = match outcome {
        Ok(value) => resolve.borrow_back(env).and_then(|resolve| resolve.call(value)),
        Err(error) => reject.borrow_back(env).and_then(|reject| reject.call(error)),
    };
}

/// The signal fired (on the JS thread): a poll still waiting is dropped (it took nothing) and
/// rejected.
fn abort(env: &Env, state: &Shared) {
    let mut poll = lock(state);
    poll.future = None;
    poll.step = None;
    let settle = poll.settle.take();
    drop(poll);
    settle_with(env, settle, Err(abort_error(env)));
}

fn listen_for_abort(env: &Env, signal: &Object<'_>, state: Shared) -> Result<()> {
    on_abort(env, signal, move |env| abort(env, &state))
}

/// Calls `aborted` (on the JS thread) when `signal` fires.
pub fn on_abort(env: &Env, signal: &Object<'_>, aborted: impl Fn(&Env) + 'static) -> Result<()> {
    let listener = env.create_function_from_closure("journeyAbort", move |context| {
        aborted(context.env);
        Ok(())
    })?;
    let add: AddEventListener<'_> = signal.get_named_property("addEventListener")?;
    add.apply(signal, FnArgs::from(("abort", listener)))?;
    Ok(())
}

/// The rejection of an aborted call: an `Error` named `AbortError` with code `ABORT_ERR`, like
/// those of `fetch` and `timers/promises`.
pub fn abort_error(env: &Env) -> Error {
    let make = || -> Result<Error> {
        let mut error = env.create_error(Error::from_reason("The operation was aborted"))?;
        error.set_named_property("name", "AbortError")?;
        error.set_named_property("code", "ABORT_ERR")?;
        Ok(Error::from(error.into_unknown(env)?))
    };
    make().unwrap_or_else(|e| e)
}
