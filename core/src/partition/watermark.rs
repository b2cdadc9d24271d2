//! The event-clock watermark of partitions (SPEC §13 "Clock", docs/scale-out.md).
//!
//! One engine's event clock is the largest accepted event time so far. A partition sees only its
//! own events, so before an event at position `p` it must take, instead, the largest time accepted
//! by *any* partition before `p`: the watermark `W(p)`. That is known once every partition has
//! processed every position before `p`; a partition whose next position is the smallest of all
//! can always go on, so waiting never deadlocks.
//!
//! Waiting is needed only where the watermark can change an outcome ([`watermark_needed`]): an
//! event that might be late (its time is below the largest time of *any* event before it,
//! accepted or not, minus the allowed lateness), or every event when retention sweeps by the
//! clock; and once at the end, so that reads see the final `now`. Others go on at once.
//!
//! [`Frontier`] is what partitions have told each other, and never blocks: partitions in other
//! processes send it [`PartitionProgress`] reports (as JSON, over whatever the host has: a Dask
//! actor, a Kafka topic). [`Watermark`] wraps one for partitions on threads of one process.

use crate::base::error::{JourneyError, Result};
use crate::base::json::Json;
use crate::base::time::{Millis, parse_rfc3339};
use crate::engine::command::Command;
use crate::model::config::{ClockMode, Config};
use crate::model::input::Batch;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, PoisonError};

/// What partitions have processed, and the largest event time accepted before the point all of
/// them have passed.
#[derive(Debug, Clone)]
pub struct Frontier {
    /// Each partition's next position, as far as it has said (`u64::MAX` once it has no more).
    next: Vec<u64>,
    /// Every position before this one has been processed by its partition.
    frontier: u64,
    /// The largest time accepted before `frontier`.
    before_frontier: Option<Millis>,
    /// Times accepted at or after `frontier`, by position.
    ahead: BTreeMap<u64, Millis>,
}

/// One partition's report to the others: `{"partition", "accepted": [[position, time], …], "next"}`.
/// Reports may repeat (a partition restarted from a checkpoint reports again what it did
/// again): the frontier takes the largest `next` it was told and the same times again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PartitionProgress {
    /// The partition reporting.
    pub partition: usize,
    /// The positions where it accepted an event since its last report, each with the event's
    /// time (RFC 3339).
    #[serde(default)]
    pub accepted: Vec<(u64, String)>,
    /// Its next position, of an event or of an operation it has yet to run: it has processed
    /// each of its positions before this one. `null` once it has no more. Required: a report that
    /// leaves it out is refused rather than read as "no more events". (A partition that left out
    /// an operation waiting for the watermark would let the others' times after it into it.)
    #[serde(deserialize_with = "Option::deserialize")]
    pub next: Option<u64>,
}

impl Frontier {
    /// The frontier of partitions whose first events are at `first_positions` (`None`: a
    /// partition with no events), as a batch's router knows them.
    pub fn new(first_positions: &[Option<u64>]) -> Frontier {
        let next: Vec<u64> = first_positions.iter().map(|p| p.unwrap_or(u64::MAX)).collect();
        let frontier = next.iter().copied().min().unwrap_or(u64::MAX);
        Frontier { next, frontier, before_frontier: None, ahead: BTreeMap::new() }
    }

    /// The frontier of `partitions` partitions of a stream, where nothing is known yet: each
    /// partition's next position is 0 until it reports.
    pub fn starting(partitions: usize) -> Frontier {
        Frontier::new(&vec![Some(0); partitions])
    }

    /// The frontier a host asks for: of `partitions` partitions (1 to [`super::MAX_PARTITIONS`]),
    /// with each one's first position when the input is known (a backfill), or a stream's
    /// ([`Frontier::starting`]) without. `INVALID_ARGUMENT` for a count out of range or
    /// `first_positions` of another length.
    pub fn of(partitions: usize, first_positions: Option<&[Option<u64>]>) -> Result<Frontier> {
        super::router::check_partitions(partitions)?;
        match first_positions {
            None => Ok(Frontier::starting(partitions)),
            Some(first) if first.len() == partitions => Ok(Frontier::new(first)),
            Some(first) => Err(JourneyError::invalid_argument(format!(
                "{} first positions for {partitions} partitions",
                first.len()
            ))),
        }
    }

    /// Whether every partition has passed every position before `position`, so that
    /// [`Frontier::watermark_before`] is known (`u64::MAX`: all are done).
    pub fn passed(&self, position: u64) -> bool {
        self.frontier >= position
    }

    /// `W(position)`: the largest event time accepted by any partition before `position`;
    /// `None` while nothing was accepted. `INVALID_ARGUMENT` until [`Frontier::passed`]. Exact
    /// for the partition whose next position is `position` (its own report holds the frontier
    /// there): what it answers is the largest time before the frontier.
    pub fn watermark_before(&self, position: u64) -> Result<Option<Millis>> {
        match self.passed(position) {
            true => Ok(self.before_frontier),
            false => Err(JourneyError::invalid_argument(format!(
                "the partitions have not all passed position {position} yet"
            ))),
        }
    }

    /// Takes one partition's processing of its event at `position`: accepted at `accepted`
    /// (`None`: not accepted), its next event at `next` (`None`: it has no more).
    pub fn processed(&mut self, partition: usize, position: u64, accepted: Option<Millis>, next: Option<u64>) {
        self.accept(position, accepted);
        self.advance(partition, next);
    }

    /// Takes a report from another process. `INVALID_ARGUMENT` for a partition out of range or a
    /// time that is not RFC 3339 (nothing of the report is taken then).
    pub fn record(&mut self, progress: &PartitionProgress) -> Result<()> {
        if progress.partition >= self.next.len() {
            return Err(JourneyError::invalid_argument(format!(
                "partition {} of {} partitions",
                progress.partition,
                self.next.len()
            )));
        }
        let times = progress
            .accepted
            .iter()
            .map(|(position, time)| match parse_rfc3339(time) {
                Some(millis) => Ok((*position, millis)),
                None => Err(JourneyError::invalid_argument(format!(
                    "'{}' is not an RFC 3339 time",
                    crate::base::text::clip(time)
                ))),
            })
            .collect::<Result<Vec<_>>>()?;
        times.into_iter().for_each(|(position, millis)| self.accept(position, Some(millis)));
        self.advance(progress.partition, progress.next);
        Ok(())
    }

    fn accept(&mut self, position: u64, accepted: Option<Millis>) {
        let Some(time) = accepted else { return };
        if position < self.frontier {
            // Told again (a restarted partition): it is in `before_frontier` already, or was
            // reported before the frontier passed it; either way, the maximum holds it.
            self.before_frontier = Some(self.before_frontier.map_or(time, |max| max.max(time)));
            return;
        }
        let slot = self.ahead.entry(position).or_insert(time);
        *slot = (*slot).max(time);
    }

    fn advance(&mut self, partition: usize, next: Option<u64>) {
        let next = next.unwrap_or(u64::MAX);
        // A partition never goes back: a repeated older report moves nothing.
        self.next[partition] = self.next[partition].max(next);
        let frontier = self.next.iter().copied().min().unwrap_or(u64::MAX);
        while let Some((&at, &time)) = self.ahead.first_key_value() {
            if at >= frontier {
                break;
            }
            self.ahead.pop_first();
            self.before_frontier = Some(self.before_frontier.map_or(time, |max| max.max(time)));
        }
        self.frontier = self.frontier.max(frontier);
    }
}

/// The shared watermark of partitions on threads of one process: a [`Frontier`] that waits.
pub struct Watermark {
    frontier: Mutex<Frontier>,
    moved: Condvar,
}

impl Watermark {
    /// The watermark of partitions whose first events are at `first_positions` (`None`: a
    /// partition with no events).
    pub fn new(first_positions: &[Option<u64>]) -> Watermark {
        Watermark { frontier: Mutex::new(Frontier::new(first_positions)), moved: Condvar::new() }
    }

    /// `W(position)`: the largest event time accepted by any partition before `position` (the
    /// caller's next position, or `u64::MAX` for the final watermark once all are done); waits
    /// until every partition has passed it. `None` while nothing was accepted.
    pub fn before(&self, position: u64) -> Option<Millis> {
        let mut frontier = self.frontier.lock().unwrap_or_else(PoisonError::into_inner);
        while !frontier.passed(position) {
            frontier = self.moved.wait(frontier).unwrap_or_else(PoisonError::into_inner);
        }
        frontier.before_frontier
    }

    /// Tells that `partition` processed its event at `position`, accepting an event at `accepted`
    /// (`None`: not accepted), and that its next event is at `next` (`None`: it has no more).
    pub fn processed(&self, partition: usize, position: u64, accepted: Option<Millis>, next: Option<u64>) {
        self.frontier.lock().unwrap_or_else(PoisonError::into_inner).processed(partition, position, accepted, next);
        self.moved.notify_all();
    }
}

/// The largest event time of any event before each position (`None` before the first): an upper
/// bound of the watermark, which needs no engine, so a router computes it. `times` holds each
/// position's event time (`None` when unreadable).
pub fn upper_bounds(times: &[Option<Millis>]) -> Vec<Option<Millis>> {
    let mut max: Option<Millis> = None;
    times
        .iter()
        .map(|time| {
            let before = max;
            if let Some(time) = time {
                max = Some(max.map_or(*time, |m| m.max(*time)));
            }
            before
        })
        .collect()
}

/// Whether a partition takes the watermark before running `command`, under `config`: under an
/// event clock, every operation that is not an ingest and reads the clock does. The engine's `now`
/// is one engine's largest accepted event time, and an operation stamps it (an agent's custom
/// events and session start, a web action's event, a link's ask), sweeps by it, or shows it (a
/// journey's live, idle and inactive status); the partition an operation goes to (an agent's,
/// by [`super::command_key`]) may have seen none of the events before it, so it takes the time
/// one engine would have there, `W(p)`; so do both ends of a state move, which carries what the
/// source has not evicted. Ingests are [`watermark_needed`]'s; clock moves, checkpoints,
/// subscriptions and the outbox read no clock, and the counters are read once every partition
/// has taken the final watermark.
pub fn command_needs_watermark(config: &Config, command: &Command) -> bool {
    if config.clock != ClockMode::Event {
        return false;
    }
    // Every variant is named, so that a new op does not compile until someone decides here.
    match command {
        Command::Ingest(_) | Command::IngestBatch(_) => false,
        // The counters are summed once every partition has taken the final watermark.
        Command::Advance(_) | Command::SetNow(_) | Command::ObserveWatermark(_) | Command::Stats => false,
        Command::Checkpoint(_) | Command::LastCheckpoint => false,
        // Both ends of a state move sweep to one engine's clock first: a source behind it would
        // hand over sessions one engine has evicted.
        Command::MoveOut(_) | Command::MoveIn(_) => true,
        Command::Outbox(_) | Command::AcknowledgeOutbox(_) => false,
        Command::Subscribe(_) | Command::Unsubscribe(_) | Command::Deliveries(_) => false,
        Command::StartAgentSession(_) | Command::EndAgentSession(_) | Command::SendCustomEvent(_) => true,
        Command::NextEvents(_) | Command::Release(_) | Command::RecordActionEvent(_) => true,
        Command::Journey(_) | Command::SessionEvents(_) | Command::Paths(_) => true,
        Command::PutSegment(_) | Command::PutOutcome(_) | Command::PutActionMap(_) => true,
        Command::DeleteSegment(_) | Command::DeleteOutcome(_) | Command::DeleteActionMap(_) => true,
        Command::ListSegments | Command::ListOutcomes | Command::ListActionMaps | Command::Segments(_) => true,
        Command::ExplainActionMap(_) | Command::EstimateActionMap(_) => true,
        Command::Link(_) | Command::Unlink(_) | Command::UnlinkEvent(_) | Command::Profile(_) | Command::Erase(_) => {
            true
        }
    }
}

/// Before which events of a batch a partition must take the watermark, under `config`: none
/// unless the clock is `event`; every one when retention sweeps by the clock; otherwise those
/// that might be late (below [`upper_bounds`] minus `allowedLateness`). The batch is read as
/// `ingest_batch` reads it, one entry per outcome; an event whose time cannot be read needs none
/// (it is rejected whatever the clock). Only bytes that are not a JSON array at all fail.
pub fn watermark_needed(config: &Config, batch: Batch<'_>) -> Result<Vec<bool>> {
    let (ClockMode::Event, None, Some(lateness)) = (config.clock, config.retention, config.allowed_lateness) else {
        // Only the count of entries matters: no event time is read.
        let count = entries(batch)?;
        let all = config.clock == ClockMode::Event && config.retention.is_some();
        return Ok(vec![all; count]);
    };
    let times = event_times(batch)?;
    let lateness = lateness.as_millis() as Millis;
    let bounds = upper_bounds(&times);
    Ok(times
        .iter()
        .zip(&bounds)
        .map(|(time, bound)| matches!((time, bound), (Some(t), Some(b)) if *t < b.saturating_sub(lateness)))
        .collect())
}

/// How many entries the batch has, as `ingest_batch` counts them.
fn entries(batch: Batch<'_>) -> Result<usize> {
    Ok(match batch {
        Batch::Ndjson(bytes) => crate::model::input::ndjson_lines(bytes).count(),
        Batch::Values(values) => values.len(),
        Batch::JsonArray(bytes) => crate::model::input::array_elements(bytes)?.len(),
    })
}

/// Each entry's `createdDate`, read leniently.
fn event_times(batch: Batch<'_>) -> Result<Vec<Option<Millis>>> {
    let time_of =
        |json: Option<Json<'_>>| json.and_then(|j| j.get("createdDate").and_then(Json::as_str).and_then(parse_rfc3339));
    Ok(match batch {
        Batch::Ndjson(bytes) => {
            crate::model::input::ndjson_lines(bytes).map(|(_, line)| time_of(Json::parse(line).ok())).collect()
        }
        Batch::Values(values) => values.iter().map(|value| time_of(Some(Json::from_value(value)))).collect(),
        Batch::JsonArray(bytes) => crate::model::input::array_elements(bytes)?
            .iter()
            .map(|element| time_of(Json::parse(element.get().as_bytes()).ok()))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn the_watermark_waits_for_every_partition_to_pass() {
        // Partition 0 holds positions 0 and 2, partition 1 holds 1 and 3.
        let watermark = Arc::new(Watermark::new(&[Some(0), Some(1)]));
        assert_eq!(watermark.before(0), None);
        let other = {
            let watermark = watermark.clone();
            std::thread::spawn(move || {
                // Position 3 waits until partition 0 has processed position 2.
                let seen = watermark.before(3);
                watermark.processed(1, 3, None, None);
                seen
            })
        };
        watermark.processed(0, 0, Some(100), Some(2));
        assert_eq!(watermark.before(1), Some(100), "position 1 sees what position 0 accepted");
        watermark.processed(1, 1, Some(300), Some(3));
        assert_eq!(watermark.before(2), Some(300));
        watermark.processed(0, 2, Some(200), None);
        assert_eq!(other.join().unwrap(), Some(300));
        assert_eq!(upper_bounds(&[Some(5), None, Some(3), Some(9)]), vec![None, Some(5), Some(5), Some(5)]);
    }

    fn report(partition: usize, accepted: &[(u64, &str)], next: Option<u64>) -> PartitionProgress {
        let accepted = accepted.iter().map(|(p, t)| (*p, t.to_string())).collect();
        PartitionProgress { partition, accepted, next }
    }

    #[test]
    fn a_stream_frontier_takes_reports_in_any_repetition() {
        let mut frontier = Frontier::starting(2);
        assert!(frontier.passed(0) && !frontier.passed(1));
        frontier.record(&report(0, &[(0, "2026-11-21T10:00:00Z"), (3, "2026-11-21T10:05:00Z")], Some(7))).unwrap();
        assert!(!frontier.passed(1), "partition 1 has not said anything");
        // Partition 1's barrier at 5: it has nothing before 6.
        frontier.record(&report(1, &[(2, "2026-11-21T09:00:00Z")], Some(6))).unwrap();
        assert!(frontier.passed(6) && !frontier.passed(7));
        assert_eq!(frontier.watermark_before(3).unwrap(), parse_rfc3339("2026-11-21T10:05:00Z"));
        assert_eq!(frontier.watermark_before(7).unwrap_err().code(), "INVALID_ARGUMENT");
        // A restarted partition 0 says again what it said, and less: nothing moves back.
        frontier.record(&report(0, &[(0, "2026-11-21T10:00:00Z")], Some(1))).unwrap();
        assert!(frontier.passed(6));
        assert_eq!(frontier.watermark_before(6).unwrap(), parse_rfc3339("2026-11-21T10:05:00Z"));
        assert_eq!(Frontier::of(0, None).unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(Frontier::of(2, Some(&[Some(0)])).unwrap_err().code(), "INVALID_ARGUMENT");
        let bad = frontier.record(&report(2, &[], None)).unwrap_err();
        assert_eq!(bad.code(), "INVALID_ARGUMENT");
        assert!(frontier.record(&report(1, &[(9, "yesterday")], None)).is_err());
        assert!(!frontier.passed(u64::MAX), "the bad report was not taken");
        frontier.record(&report(1, &[], None)).unwrap();
        frontier.record(&report(0, &[], None)).unwrap();
        assert!(frontier.passed(u64::MAX));
    }

    #[test]
    fn only_possibly_late_events_need_the_watermark() {
        let config = |extra: &str| {
            Config::from_json(&format!(r#"{{"clock": "event", "allowedLateness": "10m"{extra}}}"#)).unwrap()
        };
        let ndjson = b"{\"createdDate\":\"2026-11-21T10:00:00Z\"}\n{\"createdDate\":\"2026-11-21T10:30:00Z\"}\n\
            {\"createdDate\":\"2026-11-21T10:25:00Z\"}\n{\"createdDate\":\"2026-11-21T10:10:00Z\"}\nnot json\n";
        assert_eq!(
            watermark_needed(&config(""), Batch::Ndjson(ndjson)).unwrap(),
            vec![false, false, false, true, false]
        );
        assert_eq!(watermark_needed(&config(r#", "retention": "1d""#), Batch::Ndjson(ndjson)).unwrap(), vec![true; 5]);
        let manual = Config::from_json(r#"{"clock": "manual"}"#).unwrap();
        assert_eq!(watermark_needed(&manual, Batch::Ndjson(ndjson)).unwrap(), vec![false; 5]);
        assert_eq!(watermark_needed(&manual, Batch::JsonArray(b"{")).unwrap_err().code(), "INVALID_JSON");
    }
}
