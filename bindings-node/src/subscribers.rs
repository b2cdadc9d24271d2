//! Subscriptions with JS callbacks.
//!
//! The core calls subscribers on the thread that records the event (or ingests the event, or
//! moves the clock, that fires an action map), synchronously. When that is the JS thread (every
//! `recordActionEvent`, `ingest`, `ingestBatch`, `advance`, `setNow` and `observeWatermark` call
//! from JS), the callback is called right away, in subscription order, and a throw is counted as a
//! callback failure. When it happens on another thread, the callback is queued to the JS thread
//! through a ThreadsafeFunction.

use napi::bindgen_prelude::*;
use napi::sys;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::Arc;

// Weak: a subscription must not keep the process alive.
type Tsfn = ThreadsafeFunction<Value, Unknown<'static>, Value, Status, false, true>;

thread_local! {
    /// The environment of the JS call in progress on this thread, while it records an event.
    static CURRENT_ENV: Cell<sys::napi_env> = const { Cell::new(std::ptr::null_mut()) };
    /// The JS callbacks of this thread's subscriptions, by engine and subscription id (ids start
    /// at 1 in every engine).
    static CALLBACKS: RefCell<HashMap<(usize, u64), FunctionRef<Value, Unknown<'static>>>> = RefCell::new(HashMap::new());
}

/// Which engine a subscription belongs to, in [`CALLBACKS`]'s keys.
fn engine_key(engine: &journey_core::Engine) -> usize {
    engine as *const journey_core::Engine as usize
}

/// Runs `call` with this thread's JS environment available to subscribers.
pub fn while_on_js_thread<T>(env: &Env, call: impl FnOnce() -> T) -> T {
    let previous = CURRENT_ENV.with(|c| c.replace(env.raw()));
    let result = call();
    CURRENT_ENV.with(|c| c.set(previous));
    result
}

/// Subscribes a JS function.
pub fn subscribe(
    env: &Env,
    engine: &Arc<journey_core::Engine>,
    pattern: &str,
    once: bool,
    callback: Function<'_, Value, Unknown<'static>>,
) -> Result<u32> {
    let reference = callback.create_ref()?;
    let queued: Tsfn = callback.build_threadsafe_function().callee_handled::<false>().weak::<true>().build()?;
    let key = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let this_key = key.clone();
    let engine_key = engine_key(engine);
    let subscriber = Arc::new(move |event: &journey_core::Notification| {
        let json = serde_json::to_value(event).map_err(|e| e.to_string())?;
        let env = CURRENT_ENV.with(|c| c.get());
        let id = (engine_key, this_key.load(std::sync::atomic::Ordering::Acquire));
        if env.is_null() {
            queued.call(json, ThreadsafeFunctionCallMode::NonBlocking);
            return Ok(());
        }
        let env = Env::from_raw(env);
        let function = CALLBACKS.with(|c| c.borrow().get(&id).map(|f| f.borrow_back(&env)));
        // A `once` subscription has fired: the core has already removed it, so its function goes
        // too (after the call, which may itself unsubscribe or subscribe).
        let result = match function {
            Some(Ok(function)) => function.call(json).map(drop).map_err(|e| e.reason.clone()),
            Some(Err(e)) => Err(e.reason.clone()),
            None => Ok(()), // unsubscribed on this thread in the meantime
        };
        if once {
            CALLBACKS.with(|c| c.borrow_mut().remove(&id));
        }
        result
    });
    let id = engine.subscribe(pattern, once, subscriber).map_err(|e| crate::error::js_error(env, e))?;
    key.store(id, std::sync::atomic::Ordering::Release);
    CALLBACKS.with(|c| c.borrow_mut().insert((engine_key, id), reference));
    u32::try_from(id).map_err(|_| Error::from_reason("too many subscriptions"))
}

/// Releases the JS functions of an engine's subscriptions (the engine is being collected).
pub fn forget_engine(engine: &journey_core::Engine) {
    let key = engine_key(engine);
    CALLBACKS.with(|c| c.borrow_mut().retain(|(engine, _), _| *engine != key));
}

/// How many JS functions this thread's subscriptions hold (for tests: fired `once` subscriptions
/// and ended ones hold none).
pub fn callback_count() -> usize {
    CALLBACKS.with(|c| c.borrow().len())
}

/// Ends a subscription.
pub fn unsubscribe(engine: &journey_core::Engine, id: u32) {
    engine.off(u64::from(id));
    CALLBACKS.with(|c| c.borrow_mut().remove(&(engine_key(engine), u64::from(id))));
}
