//! Batch ingest on more than one core, with exactly the outcomes of one event at a time
//! (docs/performance.md).
//!
//! A batch is cut into windows, and each window into parts. Stage 1 of a window (parse, identity,
//! validation short of the checks against `now`, and the event's half of matching it against the
//! rules) runs on the engine's thread pool; stage 2 (the time checks, the store and the session's
//! half of evaluation) runs on the caller's thread, one event after another in input order. While
//! the caller applies one part, the pool validates the next part and parses a part of the next
//! window, so that only the first part of a window is ever waited for. Stage 2 stays on the
//! caller's thread so that what a binding asks between events (Python's Ctrl-C, which only the
//! main thread sees; a progress callback) is asked where it was.

use crate::base::error::Result;
use crate::base::interrupt::Interrupt;
use crate::engine::Engine;
use crate::engine::ingest::{IngestCall, Input, Parsed, Prepared};
use crate::engine::stream::{LineRejection, StreamSummary};
pub use crate::model::input::{Batch, Outcomes};
use crate::model::input::{array_elements, ndjson_lines};
use crate::model::outcome::{BatchOutcome, Outcome};
use crate::state::orchestration::Compiled;
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

/// How batches are cut: fixed, except that tests make windows and parts tiny so that every kind
/// of conflict straddles a boundary.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BatchShape {
    /// Most events in one window.
    pub window_events: usize,
    /// Most events in one part of a window: the pool validates the next part while the caller
    /// applies this one. Small enough that waiting for a window's first part costs little, large
    /// enough that handing each part to the pool does too.
    pub part_events: usize,
    /// A batch whose first window is smaller than this runs on the caller's thread alone: handing
    /// it to the pool costs more than it saves.
    pub parallel_min: usize,
}

impl Default for BatchShape {
    fn default() -> Self {
        BatchShape { window_events: 2048, part_events: 256, parallel_min: 64 }
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
        pool.install(|| self.parse_part(window))
    }

    /// Validates parsed events, and runs the event's half of matching them against `rules`, on
    /// the pool this runs in.
    fn prepare_part<'p, 'c>(&self, part: &'p [(Parsed<'c>, u64)], rules: &Arc<Compiled>) -> Vec<Prepared<'p, 'c>> {
        part.par_iter().map(|(parsed, _)| self.prepare(parsed, Some(rules))).collect()
    }

    /// Parses inputs on the pool this runs in.
    fn parse_part<'b>(&self, inputs: Vec<Tagged<'b>>) -> ParsedWindow<'b> {
        inputs.into_par_iter().map(|(input, tag)| (self.parse(input), tag)).collect()
    }
}

/// `window`'s inputs cut into `parts` parts in order (the last ones may be empty), one to parse
/// beside each part of the window being applied.
fn split<T>(window: Option<Vec<T>>, parts: usize) -> Option<Vec<Vec<T>>> {
    let mut window = window?;
    let size = window.len().div_ceil(parts.max(1)).max(1);
    let mut split = Vec::with_capacity(parts);
    while split.len() < parts {
        let rest = window.split_off(size.min(window.len()));
        split.push(std::mem::replace(&mut window, rest));
    }
    Some(split)
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

    /// Applies `current` on this thread, part by part, while the pool validates its next part and
    /// parses a part of `next`; only `current`'s first part is validated before anything is
    /// applied. Returns the parsed next window; `next`'s error comes after `current` is applied.
    fn step<'c, 'n>(
        &mut self,
        pool: &rayon::ThreadPool,
        current: ParsedWindow<'c>,
        next: Result<Option<Vec<Tagged<'n>>>>,
        sink: &mut dyn FnMut(u64, Outcome) -> Result<()>,
    ) -> Result<Option<ParsedWindow<'n>>> {
        let engine = self.engine();
        // The event's half of matching runs in stage 1 under the rules now; an event whose turn
        // finds other rules in force matches again then.
        let rules = engine.rules.current();
        let (next, failed) = match next {
            Ok(next) => (next, None),
            Err(error) => (None, Some(error)),
        };
        let parts: Vec<&[(Parsed<'c>, u64)]> = current.chunks(engine.batch_shape.part_events.max(1)).collect();
        let mut next_parts = split(next, parts.len());
        let prepare = |part| engine.prepare_part(part, &rules);
        let mut prepared = pool.install(|| prepare(parts[0]));
        let mut parsed_next: Option<ParsedWindow<'n>> = None;
        for (at, part) in parts.iter().enumerate() {
            let (mut following, mut parsed_part) = (None, None);
            let inputs = next_parts.as_mut().map(|parts| std::mem::take(&mut parts[at]));
            let mut applied = Ok(());
            pool.in_place_scope(|scope| {
                scope.spawn(|_| {
                    following = parts.get(at + 1).map(|part| prepare(part));
                    parsed_part = inputs.map(|inputs| engine.parse_part(inputs));
                });
                applied = prepared.into_iter().zip(part.iter()).try_for_each(|(prepared, (_, tag))| {
                    let outcome = self.apply(prepared, Some(&rules))?;
                    sink(*tag, outcome)
                });
            });
            applied?;
            if let Some(parsed_part) = parsed_part {
                parsed_next.get_or_insert_with(Vec::new).extend(parsed_part);
            }
            prepared = following.unwrap_or_default();
        }
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

#[cfg(test)]
mod split_tests {
    use super::split;

    #[test]
    fn a_window_is_cut_in_order_into_as_many_parts_as_asked() {
        assert_eq!(split(Some((0..10).collect()), 4), Some(vec![vec![0, 1, 2], vec![3, 4, 5], vec![6, 7, 8], vec![9]]));
        assert_eq!(split(Some(vec![1, 2]), 4), Some(vec![vec![1], vec![2], vec![], vec![]]));
        assert_eq!(split(Some(Vec::<u8>::new()), 2), Some(vec![vec![], vec![]]));
        assert_eq!(split(None::<Vec<u8>>, 3), None);
    }
}
