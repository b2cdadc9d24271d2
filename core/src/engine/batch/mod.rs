//! Batch ingest on more than one core, with exactly the outcomes of one event at a time
//! (docs/performance.md).
//!
//! A batch is cut into windows. Stage 1 of a window (parse, identity, validation short of the
//! checks against `now`) runs on the engine's thread pool; stage 2 (the time checks and the store)
//! runs on the caller's thread, one event after another in input order, while the pool reads the
//! next window. Stage 2 stays on the caller's thread so that what a binding asks between events
//! (Python's Ctrl-C, which only the main thread sees; a progress callback) is asked where it was.

use crate::base::error::Result;
use crate::base::interrupt::Interrupt;
use crate::engine::Engine;
use crate::engine::ingest::{IngestCall, Input, Parsed, Prepared};
use crate::engine::stream::{LineRejection, StreamSummary};
pub use crate::model::input::{Batch, Outcomes};
use crate::model::input::{array_elements, ndjson_lines};
use crate::model::outcome::{BatchOutcome, Outcome};
use rayon::prelude::*;
use std::sync::{Arc, Mutex, PoisonError};

/// What a batch call returns: every outcome, or the totals with the rejections asked for (the
/// form of `ingest_file`'s summary, so that both read the same).
#[derive(Debug, Clone, PartialEq)]
pub enum BatchResult {
    /// `Outcomes::All`.
    All(BatchOutcome),
    /// `Outcomes::Rejected` or `Outcomes::None`.
    Summary(StreamSummary),
}

impl BatchResult {
    /// The JSON form as compact text.
    pub fn to_json_string(&self) -> String {
        match self {
            BatchResult::All(batch) => batch.to_json_string(),
            BatchResult::Summary(summary) => serde_json::to_string(summary).unwrap_or_default(),
        }
    }
}

impl Engine {
    /// Ingests a batch in one call, its windows prepared on the engine's threads
    /// (docs/performance.md), returning the outcomes asked for. Only bytes that are not a JSON
    /// array at all fail (`INVALID_JSON`, for [`Batch::JsonArray`]); `interrupt` may stop the call
    /// between events (`INTERRUPTED`; what was ingested stays).
    pub fn ingest_batch(
        &self,
        batch: Batch<'_>,
        outcomes: Outcomes,
        interrupt: Option<Interrupt<'_>>,
    ) -> Result<BatchResult> {
        match outcomes {
            Outcomes::All => self.batch_outcomes(batch, interrupt).map(BatchResult::All),
            Outcomes::Rejected | Outcomes::None => {
                let kept = if outcomes == Outcomes::Rejected { usize::MAX } else { 0 };
                let mut summary = StreamSummary::default();
                self.each_outcome(batch, interrupt, &mut |line, outcome| {
                    summary.count(LineRejection { line, outcome }, kept, usize::MAX);
                })?;
                Ok(BatchResult::Summary(summary))
            }
        }
    }

    /// Every outcome of a batch, in order.
    pub(crate) fn batch_outcomes(&self, batch: Batch<'_>, interrupt: Option<Interrupt<'_>>) -> Result<BatchOutcome> {
        let mut outcomes = BatchOutcome::with_capacity(batch.size_hint());
        self.each_outcome(batch, interrupt, &mut |_, outcome| outcomes.push(outcome))?;
        Ok(outcomes)
    }

    /// Ingests a batch in one call, handing each outcome to `sink` with its line (NDJSON) or
    /// 1-based position.
    fn each_outcome(
        &self,
        batch: Batch<'_>,
        interrupt: Option<Interrupt<'_>>,
        sink: &mut dyn FnMut(u64, Outcome),
    ) -> Result<()> {
        let elements = match batch {
            Batch::JsonArray(bytes) => array_elements(bytes)?,
            _ => Vec::new(),
        };
        let inputs: Box<dyn Iterator<Item = Tagged<'_>>> = match batch {
            Batch::Ndjson(bytes) => Box::new(ndjson_lines(bytes).map(|(number, line)| (Input::Text(line), number))),
            Batch::JsonArray(_) => Box::new(elements.iter().map(|e| Input::Text(e.get().as_bytes())).zip(1..)),
            Batch::Values(values) => Box::new(values.iter().map(Input::Value).zip(1..)),
        };
        let windows = InMemory { inputs, window_events: self.batch_shape.window_events };
        self.ingest_call(interrupt, |call| {
            call.windows(windows, &mut |tag, outcome| {
                sink(tag, outcome);
                Ok(())
            })
        })
    }
}

#[cfg(test)]
mod equivalence;

/// How batches are cut: fixed, except that tests make windows tiny so that every kind of conflict
/// straddles a window boundary.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BatchShape {
    /// Most events in one window.
    pub window_events: usize,
    /// A batch whose first window is smaller than this runs on the caller's thread alone: handing
    /// it to the pool costs more than it saves.
    pub parallel_min: usize,
}

impl Default for BatchShape {
    fn default() -> Self {
        BatchShape { window_events: 2048, parallel_min: 64 }
    }
}

/// One input of a window and its tag, which comes back with its outcome (a stream's line number).
pub(crate) type Tagged<'b> = (Input<'b>, u64);

/// Where a batch's windows come from. `'a` is what the inputs may borrow for the whole batch.
pub(crate) trait Windows<'a> {
    /// What one window's inputs may borrow besides (a stream's lines; nothing in memory).
    type Buffer: Default;

    /// Fills `buffer` with the next window and returns its inputs; `None` after the last. An
    /// `Err` comes only after every input before it was returned.
    fn next<'b>(&mut self, buffer: &'b mut Self::Buffer) -> Result<Option<Vec<Tagged<'b>>>>
    where
        'a: 'b;
}

/// The windows of a batch already in memory.
pub(crate) struct InMemory<I> {
    inputs: I,
    window_events: usize,
}

impl<'a, I: Iterator<Item = Tagged<'a>>> Windows<'a> for InMemory<I> {
    type Buffer = ();

    fn next<'b>(&mut self, _: &'b mut ()) -> Result<Option<Vec<Tagged<'b>>>>
    where
        'a: 'b,
    {
        let window: Vec<Tagged<'b>> = self.inputs.by_ref().take(self.window_events).collect();
        Ok((!window.is_empty()).then_some(window))
    }
}

/// A parsed window, each event with its tag.
type ParsedWindow<'b> = Vec<(Parsed<'b>, u64)>;

/// The threads of stage 1. Dropping it joins every thread, so that none outlives its engine: a C
/// host may unload the library right after `journey_engine_free`, and valgrind sees no thread's
/// memory left behind. (rayon detaches its threads; spawning them here keeps their handles.)
pub(crate) struct IngestPool {
    pool: Option<rayon::ThreadPool>,
    threads: Arc<Mutex<Vec<std::thread::JoinHandle<()>>>>,
}

impl IngestPool {
    /// A pool of `threads` threads; `None` when they cannot be started.
    fn start(threads: usize) -> Option<IngestPool> {
        let handles = Arc::new(Mutex::new(Vec::with_capacity(threads)));
        let spawned = handles.clone();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .spawn_handler(move |thread| {
                let name = format!("journey-ingest-{}", thread.index());
                let handle = std::thread::Builder::new().name(name).spawn(|| thread.run())?;
                spawned.lock().unwrap_or_else(PoisonError::into_inner).push(handle);
                Ok(())
            })
            .build()
            .ok()?;
        Some(IngestPool { pool: Some(pool), threads: handles })
    }
}

impl Drop for IngestPool {
    fn drop(&mut self) {
        drop(self.pool.take()); // tells the threads to finish their work and exit
        let threads = std::mem::take(&mut *self.threads.lock().unwrap_or_else(PoisonError::into_inner));
        for thread in threads {
            let _ = thread.join(); // a thread that panicked has nothing left to clean up
        }
    }
}

impl Engine {
    /// The pool of stage 1, made on first use; `None` when `ingestThreads` is 1 (or the machine
    /// has one core, or no thread could be started: then every batch runs on the caller's thread).
    fn ingest_pool(&self) -> Option<&rayon::ThreadPool> {
        self.ingest_pool
            .get_or_init(|| {
                let threads = match self.config.ingest_threads {
                    0 => std::thread::available_parallelism().map_or(1, usize::from),
                    n => n,
                };
                // The caller's thread is one of them: it applies while the pool prepares.
                (threads > 1).then(|| IngestPool::start(threads - 1)).flatten()
            })
            .as_ref()
            .and_then(|pool| pool.pool.as_ref())
    }

    fn parse_window<'b>(&self, pool: &rayon::ThreadPool, window: Vec<Tagged<'b>>) -> ParsedWindow<'b> {
        pool.install(|| window.into_par_iter().map(|(input, tag)| (self.parse(input), tag)).collect())
    }
}

impl IngestCall<'_, '_> {
    /// Ingests every window of `windows`, handing each outcome to `sink` with its tag, in input
    /// order. The outcomes are exactly those of [`IngestCall::one`] on each input in turn.
    pub(crate) fn windows<'a, W: Windows<'a>>(
        &mut self,
        mut windows: W,
        sink: &mut dyn FnMut(u64, Outcome) -> Result<()>,
    ) -> Result<()> {
        let (mut first_buffer, mut second_buffer) = (W::Buffer::default(), W::Buffer::default());
        let Some(first) = windows.next(&mut first_buffer)? else { return Ok(()) };
        let engine = self.engine();
        // A small batch never starts the pool.
        let pool = (first.len() >= engine.batch_shape.parallel_min).then(|| engine.ingest_pool()).flatten();
        let pool = match pool {
            Some(pool) => pool,
            None => {
                self.sequential(first, sink)?;
                while let Some(window) = windows.next(&mut first_buffer)? {
                    self.sequential(window, sink)?;
                }
                return Ok(());
            }
        };
        // Two buffers take turns: one holds the window being applied while the other is filled
        // with the next, so a window's inputs live until its last event is applied.
        let mut current = engine.parse_window(pool, first);
        loop {
            let next = windows.next(&mut second_buffer);
            let Some(following) = self.step(pool, current, next, sink)? else { return Ok(()) };
            let next = windows.next(&mut first_buffer);
            let Some(following) = self.step(pool, following, next, sink)? else { return Ok(()) };
            current = following;
        }
    }

    /// Prepares `current` on the pool, then applies it on this thread while the pool parses `next`.
    /// Returns the parsed next window; `next`'s error comes after `current` is applied.
    fn step<'c, 'n>(
        &mut self,
        pool: &rayon::ThreadPool,
        current: ParsedWindow<'c>,
        next: Result<Option<Vec<Tagged<'n>>>>,
        sink: &mut dyn FnMut(u64, Outcome) -> Result<()>,
    ) -> Result<Option<ParsedWindow<'n>>> {
        let engine = self.engine();
        // The event's half of matching runs here too, on the pool, under the rules now; an event
        // whose turn finds other rules in force matches again then.
        let rules = engine.rules.current();
        let prepared: Vec<Prepared<'_, 'c>> =
            pool.install(|| current.par_iter().map(|(parsed, _)| engine.prepare(parsed, Some(&rules))).collect());
        let (next, failed) = match next {
            Ok(next) => (next, None),
            Err(error) => (None, Some(error)),
        };
        let mut parsed_next = None;
        let mut applied = Ok(());
        pool.in_place_scope(|scope| {
            if let Some(next) = next {
                let parsed_next = &mut parsed_next;
                scope.spawn(move |_| *parsed_next = Some(engine.parse_window(pool, next)));
            }
            applied = prepared.into_iter().zip(&current).try_for_each(|(prepared, (_, tag))| {
                let outcome = self.apply(prepared, Some(&rules))?;
                sink(*tag, outcome)
            });
        });
        applied?;
        match failed {
            Some(error) => Err(error),
            None => Ok(parsed_next),
        }
    }

    /// Both stages of each input of a window, on this thread.
    fn sequential(&mut self, window: Vec<Tagged<'_>>, sink: &mut dyn FnMut(u64, Outcome) -> Result<()>) -> Result<()> {
        for (input, tag) in window {
            let outcome = self.one(input)?;
            sink(tag, outcome)?;
        }
        Ok(())
    }
}
