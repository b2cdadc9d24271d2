//! How many connections the server holds, and what it does when it may not take another
//! (docs/http.md, "Bad input never kills it"):
//!
//! - at most `--max-connections` are open at once (by default ¾ of the open-file limit), so that
//!   sockets never take every file descriptor the engine and the store need;
//! - a connection over the cap takes the place of the connection idle longest (no request in
//!   progress), as a reverse proxy drops its idle keep-alive connections to take new ones; when
//!   every connection has a request in progress, new connections wait in the listen backlog;
//! - a failed `accept` (no file descriptor left) is retried after a pause that doubles from 10 ms
//!   to 1 s, instead of at once in a loop that would take a whole core.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

/// The default cap never goes above this, however high the open-file limit.
const DEFAULT_CAP_CEILING: usize = 16_384;
/// How often a connection over the cap looks again for an idle connection to replace, when every
/// connection had a request in progress.
const RETRY_EVICTION: Duration = Duration::from_millis(50);
/// The first pause after a failed `accept`.
const FIRST_BACKOFF: Duration = Duration::from_millis(10);
/// The longest pause after failed `accept`s.
const LAST_BACKOFF: Duration = Duration::from_secs(1);

/// The default of `--max-connections`: ¾ of the soft open-file limit (`ulimit -n`), leaving the
/// rest to the listener, the runtime and the store's files; at most [`DEFAULT_CAP_CEILING`].
pub fn default_cap() -> usize {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit only writes the struct it is given, which lives for the whole call.
    let soft = if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 { limit.rlim_cur } else { 1024 };
    let soft = usize::try_from(soft).unwrap_or(usize::MAX);
    (soft / 4 * 3).clamp(1, DEFAULT_CAP_CEILING)
}

/// The open connections, at most a fixed number at once.
pub struct Connections {
    places: Arc<Semaphore>,
    open: Mutex<HashMap<u64, Arc<Activity>>>,
    next_id: AtomicU64,
    clock: Instant,
}

impl Connections {
    /// Room for `cap` connections at once.
    pub fn new(cap: usize) -> Arc<Connections> {
        Arc::new(Connections {
            places: Arc::new(Semaphore::new(cap.max(1))),
            open: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            clock: Instant::now(),
        })
    }

    /// A place for a connection just accepted: at once under the cap; over it, the connection idle
    /// longest is closed to make room, or, when every connection has a request in progress, the
    /// new one waits until one of them ends.
    pub async fn admit(self: &Arc<Self>) -> Place {
        loop {
            if let Ok(permit) = self.places.clone().try_acquire_owned() {
                return self.register(permit);
            }
            self.evict_idlest();
            tokio::select! {
                permit = self.places.clone().acquire_owned() => {
                    if let Ok(permit) = permit {
                        return self.register(permit);
                    }
                }
                () = tokio::time::sleep(RETRY_EVICTION) => {}
            }
        }
    }

    fn register(self: &Arc<Self>, permit: OwnedSemaphorePermit) -> Place {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let activity = Arc::new(Activity {
            in_progress: AtomicUsize::new(0),
            idle_since_ms: AtomicU64::new(self.now_ms()),
            evicted: AtomicBool::new(false),
            changed: Notify::new(),
            connections_clock: self.clock,
        });
        self.lock().insert(id, activity.clone());
        Place { connections: self.clone(), id, activity, _permit: permit }
    }

    /// Asks the connection idle longest (no request in progress) to close; false when none is idle.
    fn evict_idlest(&self) -> bool {
        let open = self.lock();
        let idlest = open
            .values()
            .filter(|activity| activity.is_idle() && !activity.evicted.load(Ordering::Acquire))
            .min_by_key(|activity| activity.idle_since_ms.load(Ordering::Acquire));
        match idlest {
            Some(activity) => {
                activity.evicted.store(true, Ordering::Release);
                activity.changed.notify_one();
                true
            }
            None => false,
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.clock.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Activity>>> {
        // The map holds no invariant a panic could break half-way.
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One connection's place under the cap; dropping it (the connection ended) frees the place.
pub struct Place {
    connections: Arc<Connections>,
    id: u64,
    activity: Arc<Activity>,
    _permit: OwnedSemaphorePermit,
}

impl Place {
    /// What the connection is doing, for its requests to report and its task to watch.
    pub fn activity(&self) -> Arc<Activity> {
        self.activity.clone()
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        self.connections.lock().remove(&self.id);
    }
}

/// Whether a connection has a request in progress, since when it has had none, and whether it was
/// asked to make room for a new connection.
pub struct Activity {
    in_progress: AtomicUsize,
    idle_since_ms: AtomicU64,
    evicted: AtomicBool,
    changed: Notify,
    connections_clock: Instant,
}

impl Activity {
    /// Marks a request in progress until the returned guard is dropped (its response is ready): a
    /// connection waiting on a long poll is never taken as idle.
    pub fn request(self: &Arc<Self>) -> InProgress {
        self.in_progress.fetch_add(1, Ordering::AcqRel);
        InProgress(self.clone())
    }

    fn is_idle(&self) -> bool {
        self.in_progress.load(Ordering::Acquire) == 0
    }

    /// Resolves once the connection was asked to make room and has no request in progress; the
    /// connection's task then drops it, which closes the socket.
    pub async fn evicted(&self) {
        loop {
            if self.evicted.load(Ordering::Acquire) && self.is_idle() {
                return;
            }
            // notify_one keeps a wake-up that comes before this wait, so none is lost.
            self.changed.notified().await;
        }
    }
}

/// A request in progress on a connection (see [`Activity::request`]).
pub struct InProgress(Arc<Activity>);

impl Drop for InProgress {
    fn drop(&mut self) {
        let activity = &self.0;
        let now = u64::try_from(activity.connections_clock.elapsed().as_millis()).unwrap_or(u64::MAX);
        activity.idle_since_ms.store(now, Ordering::Release);
        activity.in_progress.fetch_sub(1, Ordering::AcqRel);
        activity.changed.notify_one();
    }
}

/// The pause before the next `accept` after one failed: 10 ms, doubling up to 1 s while the
/// failures go on, back to 10 ms after a success. The first failure of a run and the recovery are
/// reported on stderr, once each.
pub struct Backoff {
    next: Duration,
    failing: bool,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff { next: FIRST_BACKOFF, failing: false }
    }
}

impl Backoff {
    /// A connection was accepted.
    pub fn succeeded(&mut self) {
        if self.failing {
            eprintln!("journey serve: accepting connections again");
        }
        *self = Backoff::default();
    }

    /// `accept` failed with `error`: how long to wait before the next one.
    pub fn failed(&mut self, error: &std::io::Error) -> Duration {
        if !self.failing {
            eprintln!("journey serve: cannot accept a connection ({error}); retrying, up to once a second");
            self.failing = true;
        }
        let pause = self.next;
        self.next = (self.next * 2).min(LAST_BACKOFF);
        pause
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_to_a_second_and_resets_on_success() {
        let mut backoff = Backoff::default();
        let error = std::io::Error::from_raw_os_error(libc::EMFILE);
        let pauses: Vec<u128> = (0..9).map(|_| backoff.failed(&error).as_millis()).collect();
        assert_eq!(pauses, [10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
        backoff.succeeded();
        assert_eq!(backoff.failed(&error), Duration::from_millis(10));
    }

    #[tokio::test]
    async fn over_the_cap_the_idlest_connection_makes_room_and_a_busy_one_never_does() {
        let connections = Connections::new(2);
        let first = connections.admit().await;
        let second = connections.admit().await;
        let busy = first.activity().request();
        // The third connection takes the place of the second, idle; the first is busy.
        let second_activity = second.activity();
        let closer = tokio::spawn(async move {
            second_activity.evicted().await;
            drop(second);
        });
        let third = tokio::time::timeout(Duration::from_secs(5), connections.admit()).await.expect("room was made");
        closer.await.unwrap();
        assert!(!first.activity().evicted.load(Ordering::Acquire));
        drop(busy);
        drop((first, third));
    }
}
