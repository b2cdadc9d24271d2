//! Retention (SPEC §12): sessions and finished web actions are evicted after a while, so memory and
//! disk stay bounded in a process that runs for months.
//!
//! Eviction runs in **sweeps**. A sweep evicts every session whose last activity (§3.4) is before
//! `now − retention`, with its events, its event ids, its session ids and its owner entry, and every
//! action in a terminal state whose last change is before `now − actionRetention`, and every custom
//! event persisted for an agent before `now − persistedTtl` (counted in `customEventsDropped`),
//! with the entries of agents who never logged in and have nothing left waiting, and takes the
//! cookies not seen for `identity.cookieTtl` out of their profiles. Sweeps fall on a **grid**:
//! the multiples of the smallest **step** of the schedules (a step is a hundredth of a retention,
//! at least a second), and a sweep takes the cutoffs of the last grid point the clock has
//! reached, whichever call runs it. So a session outlives its retention by at most 1%, a sweep
//! visits each customer about a hundred times per retention period however busy the engine is,
//! checking whether one is due costs an atomic load per call, and what has been evicted depends
//! on the clock alone (partitions evict as one engine: docs/scale-out.md).
//!
//! Sweeps depend only on the engine's clock and calls, so they happen at the same points in every
//! run with a manual or event clock; a durable engine records each one (`evict`), and replay applies
//! it at the same place. A sweep passes the gate exclusively: no call is halfway through while it
//! runs.

use crate::base::error::Result;
use crate::base::time::{Millis, rfc3339};
use crate::engine::Engine;
use crate::engine::change::Change;
use crate::state::stats::Counter;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicI64, Ordering};

/// The cutoffs of one sweep; its JSON form is the input of an `evict` journal record
/// (`{"actionsBefore", "persistedBefore"?, "sessionsBefore"}`, times as RFC 3339).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Cutoffs {
    /// Terminal actions last changed before this go.
    #[serde(with = "rfc3339")]
    pub actions_before: Millis,
    /// Persisted custom events sent before this go (`None` in the records of stores written
    /// before `persistedTtl`: those sweeps dropped none, and replay must not either).
    #[serde(default, with = "rfc3339::option", skip_serializing_if = "Option::is_none")]
    pub persisted_before: Option<Millis>,
    /// Sessions last active before this go (`None`: sessions are kept forever; written as `null`).
    #[serde(with = "rfc3339::option")]
    pub sessions_before: Option<Millis>,
    /// Cookies not seen since this leave their profiles (`identity.cookieTtl`; `None` when it is
    /// `null`, and in the records of stores written before it, whose sweeps took none).
    #[serde(default, with = "rfc3339::option", skip_serializing_if = "Option::is_none")]
    pub cookies_before: Option<Millis>,
}

/// The cutoffs of the last sweep, which decide when the next one is due.
#[derive(Debug)]
pub(crate) struct Sweeps {
    sessions: AtomicI64,
    actions: AtomicI64,
}

impl Default for Sweeps {
    fn default() -> Self {
        Sweeps { sessions: AtomicI64::new(Millis::MIN), actions: AtomicI64::new(Millis::MIN) }
    }
}

impl Sweeps {
    /// The schedule of a new engine whose clock reads `now`: as if a sweep had just run at `now`
    /// (a new engine has nothing to evict), so the first is due at the next grid point.
    pub fn starting_at(now: Option<Millis>, config: &crate::model::config::Config) -> Sweeps {
        let Some(now) = now else { return Sweeps::default() };
        let sessions = config.retention.map_or(Millis::MIN, |r| now.saturating_sub(r.as_millis()));
        Sweeps::restored((sessions, now.saturating_sub(config.action_retention.as_millis())))
    }

    /// The last sweep's cutoffs, as a snapshot keeps them.
    pub fn state(&self) -> (Millis, Millis) {
        (self.sessions.load(Ordering::Acquire), self.actions.load(Ordering::Acquire))
    }

    /// Schedules from a snapshot's state.
    pub fn restored((sessions, actions): (Millis, Millis)) -> Sweeps {
        Sweeps { sessions: AtomicI64::new(sessions), actions: AtomicI64::new(actions) }
    }

    fn swept(&self, cutoffs: Cutoffs) {
        if let Some(sessions) = cutoffs.sessions_before {
            self.sessions.store(sessions, Ordering::Release);
        }
        self.actions.store(cutoffs.actions_before, Ordering::Release);
    }
}

/// How far a cutoff moves between sweeps: 1% of `retention`, at least a second.
fn step(retention: Millis) -> Millis {
    (retention / 100).max(1_000)
}

/// The last multiple of `grid` at or before `now`.
fn on_grid(now: Millis, grid: Millis) -> Millis {
    now.div_euclid(grid).saturating_mul(grid)
}

impl Engine {
    /// Runs a sweep when one is due at the engine's `now`, then fires the delayed activations due
    /// (docs/orchestration.md). Calls run it before they read or change sessions; it is never run
    /// while a journal is replayed (replay applies the recorded sweeps and firings).
    pub(crate) fn expire(&self) -> Result<()> {
        if self.clock.is_pinned() {
            return Ok(());
        }
        let Some(now) = self.clock.now() else { return Ok(()) };
        self.sweep_when_due(now)?;
        self.fire_due_activations(now)
    }

    /// Runs a retention sweep when one is due at `now`.
    fn sweep_when_due(&self, now: Millis) -> Result<()> {
        if self.due(now).is_none() {
            return Ok(());
        }
        let sweep = || {
            // Checked again with the gate held: another thread may have swept meanwhile.
            let cutoffs = self.due(now);
            if let Some(cutoffs) = cutoffs {
                self.evict(cutoffs);
            }
            Ok(cutoffs)
        };
        let (_, seq) = self.change_exclusive(Some(now), sweep, |cutoffs| cutoffs.map(Change::Evict))?;
        self.settle(seq)
    }

    /// The cutoffs of a sweep due at `now`, if one is.
    ///
    /// Sweeps fall on a grid: the multiples of the smallest step of the schedules (a hundredth of
    /// `retention`, of `actionRetention`, of `persistedTtl`). A sweep due at `now` takes the
    /// cutoffs of the last grid point at or before `now`, so what it evicts depends on the clock
    /// alone, not on which call happened to run it: an engine that runs no call for a while and
    /// then sweeps once ends where one sweeping at every point would, which is what makes
    /// partitions under an event clock evict as one engine does (docs/scale-out.md, "Order and
    /// the clock"). Every sweep moves the actions cutoff to its point − `actionRetention`, so the
    /// last sweep's point is that cutoff plus `actionRetention`, and a snapshot's two cutoffs
    /// still hold the whole schedule.
    fn due(&self, now: Millis) -> Option<Cutoffs> {
        let action_retention = self.config.action_retention.as_millis();
        let point = on_grid(now, self.sweep_grid());
        if point <= self.last_sweep_point() {
            return None;
        }
        let before = |period: Millis| point.saturating_sub(period);
        Some(Cutoffs {
            sessions_before: self.config.retention.map(|r| before(r.as_millis())),
            actions_before: before(action_retention),
            persisted_before: Some(before(self.config.persisted_ttl.as_millis())),
            // Cookies have no schedule of their own: every sweep takes those unseen for `cookieTtl`.
            cookies_before: self.config.identity.cookie_ttl.map(|ttl| before(ttl.as_millis())),
        })
    }

    /// The grid point of the last sweep, from the cutoffs it left: each cutoff plus its retention.
    /// They agree unless the engine was opened with other retentions than the sweep ran under;
    /// then the earliest is taken, so that a longer `actionRetention` (say) does not put the next
    /// sweep off by the difference.
    fn last_sweep_point(&self) -> Millis {
        let (sessions, actions) = self.sweeps.state();
        let by_actions = actions.saturating_add(self.config.action_retention.as_millis());
        let by_sessions = match self.config.retention {
            Some(retention) if sessions != Millis::MIN => sessions.saturating_add(retention.as_millis()),
            _ => Millis::MAX,
        };
        by_actions.min(by_sessions)
    }

    /// The spacing of the sweeps' grid: the smallest step of the schedules.
    fn sweep_grid(&self) -> Millis {
        let steps = [Some(self.config.action_retention), Some(self.config.persisted_ttl), self.config.retention];
        steps.into_iter().flatten().map(|period| step(period.as_millis())).min().unwrap_or(1_000)
    }

    /// Evicts what the cutoffs say and counts it. The caller holds the gate exclusively.
    pub(crate) fn evict(&self, cutoffs: Cutoffs) {
        if let Some(before) = cutoffs.sessions_before {
            let (sessions, events) = self.store.evict_before(before);
            self.counters.add(Counter::SessionsEvicted, sessions);
            self.counters.add(Counter::EventsEvicted, events.len() as u64);
            // The links evicted events made go with them; a host's links stay (docs/identity.md).
            if !events.is_empty() {
                self.identity.write().expire_event_asks(&events, |at| self.identity_rules(at));
            }
            // Erased events' ids leave the dedupe index when their sessions would have.
            self.store.erased().expire_before(before);
        }
        self.counters.add(Counter::ActionsEvicted, self.actions.evict_before(cutoffs.actions_before));
        if let Some(before) = cutoffs.persisted_before {
            self.counters.add(Counter::CustomEventsDropped, self.agents.expire_persisted(before) as u64);
        }
        if let Some(before) = cutoffs.cookies_before {
            self.forget_unseen_cookies(before);
        }
        self.sweeps.swept(cutoffs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutoffs_round_trip_as_json() {
        for cutoffs in [
            Cutoffs {
                sessions_before: Some(1_000),
                actions_before: 2_000,
                persisted_before: Some(3_000),
                cookies_before: Some(500),
            },
            Cutoffs { sessions_before: None, actions_before: -5, persisted_before: None, cookies_before: None },
        ] {
            let json = serde_json::to_value(cutoffs).unwrap();
            assert_eq!(serde_json::from_value::<Cutoffs>(json.clone()).unwrap(), cutoffs);
            assert_eq!(json["sessionsBefore"].is_null(), cutoffs.sessions_before.is_none());
        }
        // A record written before persistedTtl has no persistedBefore: its sweep dropped none.
        let old = serde_json::json!({"sessionsBefore": null, "actionsBefore": "2026-11-21T10:00:00Z"});
        let old = serde_json::from_value::<Cutoffs>(old).unwrap();
        assert_eq!((old.persisted_before, old.cookies_before), (None, None));
        // sessionsBefore is always written: a record without it is not an evict.
        assert!(
            serde_json::from_value::<Cutoffs>(serde_json::json!({"actionsBefore": "2026-11-21T10:00:00Z"})).is_err()
        );
    }

    #[test]
    fn a_step_is_a_hundredth_of_the_retention_and_at_least_a_second() {
        assert_eq!(step(3_600_000), 36_000);
        assert_eq!(step(10_000), 1_000);
    }

    #[test]
    fn sweeps_take_the_cutoffs_of_the_last_grid_point_whenever_they_run() {
        assert_eq!((on_grid(71_999, 36_000), on_grid(72_000, 36_000), on_grid(-1, 36_000)), (36_000, 72_000, -36_000));
        let config = crate::model::config::Config::from_json(
            r#"{"clock": "event", "allowedLateness": "30m", "retention": "1h", "actionRetention": "1d"}"#,
        )
        .unwrap();
        let engine =
            Engine::new(crate::model::catalog::Catalog::from_json(r#"{"sessionTypes": []}"#).unwrap(), config).unwrap();
        assert_eq!(engine.sweep_grid(), 36_000, "a hundredth of the retention, the smallest schedule");
        // Whether the sweep runs at 100,000 or 107,999, it evicts what the point 72,000 says.
        for now in [100_000, 107_999] {
            let cutoffs = engine.due(now).unwrap();
            assert_eq!(cutoffs.sessions_before, Some(72_000 - 3_600_000));
        }
        // A sweep at 72,000 under a day's actionRetention, then the engine opened with 30 days:
        // the sessions' cutoff still says where the last sweep was, and the next is not put off.
        let day = 86_400_000;
        let config = crate::model::config::Config::from_json(
            r#"{"clock": "event", "allowedLateness": "30m", "retention": "1h", "actionRetention": "30d"}"#,
        )
        .unwrap();
        let reopened =
            Engine::new(crate::model::catalog::Catalog::from_json(r#"{"sessionTypes": []}"#).unwrap(), config).unwrap();
        reopened.sweeps.swept(Cutoffs {
            sessions_before: Some(72_000 - 3_600_000),
            actions_before: 72_000 - day,
            persisted_before: None,
            cookies_before: None,
        });
        assert_eq!(reopened.last_sweep_point(), 72_000);
        assert!(reopened.due(108_000).is_some());
    }
}
