//! `ingestFile` as a Promise. The file is read on a worker of libuv's pool (napi's `AsyncTask`,
//! so the binding owns no thread); progress reaches the JS thread through a threadsafe function;
//! an `AbortSignal` stops the ingest before its next line, and the Promise rejects with an
//! `AbortError` (the lines before stay ingested).
//!
//! Each report is posted when the next one arrives, and the last one is delivered on the JS thread
//! just before the Promise settles: posted reports and the task's completion reach the event loop
//! by different routes, so otherwise the final report could arrive after `await` returned.

use crate::JsonObject;
use crate::error::js_error;
use crate::poll::{abort_error, on_abort};
use journey_core::{Engine, IngestFileOptions, Interrupt, Progress, StreamSummary};
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Calls the JS `onProgress` with a progress object.
type ProgressFunction = ThreadsafeFunction<JsonObject, (), JsonObject, Status, false>;

/// One `ingestFile` call.
pub struct IngestFile {
    engine: Arc<Engine>,
    path: PathBuf,
    options: IngestFileOptions,
    progress: Option<ProgressFunction>,
    /// `onProgress` itself, for the final report on the JS thread.
    on_progress: Option<FunctionRef<JsonObject, ()>>,
    /// The latest report, not yet posted.
    held: Option<Progress>,
    /// Set by the signal's listener; asked before every line.
    aborted: Arc<AtomicBool>,
}

impl IngestFile {
    /// The task for `path`; `on_progress` and `signal` are the options' JS values, if given.
    pub fn new(
        env: &Env,
        engine: Arc<Engine>,
        path: PathBuf,
        options: IngestFileOptions,
        on_progress: Option<Function<'_, JsonObject, ()>>,
        signal: Option<Object<'_>>,
    ) -> Result<IngestFile> {
        let progress = on_progress
            .as_ref()
            .map(|f| f.build_threadsafe_function().callee_handled::<false>().build())
            .transpose()?;
        let on_progress = on_progress.map(|f| f.create_ref()).transpose()?;
        let aborted = Arc::new(AtomicBool::new(false));
        if let Some(signal) = signal {
            aborted.store(signal.get_named_property::<bool>("aborted")?, Ordering::Release);
            let flag = aborted.clone();
            on_abort(env, &signal, move |_| flag.store(true, Ordering::Release))?;
        }
        Ok(IngestFile { engine, path, options, progress, on_progress, held: None, aborted })
    }
}

impl Task for IngestFile {
    type Output = journey_core::Result<StreamSummary>;
    type JsValue = JsonObject;

    /// On a libuv worker: the whole ingest.
    fn compute(&mut self) -> Result<Self::Output> {
        let aborted = self.aborted.clone();
        let interrupt = Interrupt::each_time(move || aborted.load(Ordering::Acquire));
        let (progress, held) = (self.progress.as_ref(), &mut self.held);
        let mut report = |p: &Progress| {
            if let (Some(function), Some(previous)) = (progress, held.replace(*p)) {
                function.call(json(&previous), ThreadsafeFunctionCallMode::NonBlocking);
            }
            true
        };
        let report: Option<&mut journey_core::ProgressFn<'_>> = progress.map(|_| &mut report as _);
        Ok(self.engine.ingest_file(&self.path, &self.options, report, Some(interrupt)))
    }

    /// On the JS thread: the summary, or the error (an `AbortError` when the signal stopped it).
    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        if let (Some(callback), Some(last)) = (&self.on_progress, self.held.take()) {
            // A callback that throws does not change the ingest's result.
            let _ = callback.borrow_back(&env).and_then(|callback| callback.call(json(&last)));
        }
        match output {
            Ok(summary) => Ok(JsonObject(serde_json::to_value(summary).unwrap_or_default())),
            Err(error) if error.code() == "INTERRUPTED" => Err(abort_error(&env)),
            Err(error) => Err(js_error(&env, error)),
        }
    }
}

fn json(progress: &Progress) -> JsonObject {
    JsonObject(serde_json::to_value(progress).unwrap_or_default())
}
