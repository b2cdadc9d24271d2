//! The batch router: one union-find pass over a batch's keys gives each event its connected
//! component, and each component one partition (docs/scale-out.md "Why component routing is
//! exact").

use super::keys::{Key, keys, keys_of_value};
use crate::base::error::{JourneyError, Result};
use crate::base::shard::FastMap;
use crate::model::catalog::Catalog;
use crate::model::event::{Customer, IdType};
use crate::model::input::Batch;
use serde::Serialize;
use siphasher::sip::SipHasher13;
use std::hash::Hasher;

/// Routes batches to `partitions` partitions, quarantining components of more than `cap` events.
#[derive(Debug, Clone, Copy)]
pub struct Router {
    partitions: usize,
    cap: usize,
}

/// The most partitions a router routes to.
pub const MAX_PARTITIONS: usize = 65_536;

/// `INVALID_ARGUMENT` unless `partitions` is 1 to [`MAX_PARTITIONS`].
pub(super) fn check_partitions(partitions: usize) -> Result<()> {
    match (1..=MAX_PARTITIONS).contains(&partitions) {
        true => Ok(()),
        false => {
            Err(JourneyError::invalid_argument(format!("partitions must be 1 to {MAX_PARTITIONS}, not {partitions}")))
        }
    }
}

/// A component too large to route: its events went nowhere (SPEC §13's quarantine).
/// `{"representative", "events", "keys"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Quarantined {
    /// The component's smallest key, as text.
    pub representative: String,
    /// How many events of the batch it holds.
    pub events: usize,
    /// Up to [`QUARANTINE_SAMPLE`] of its keys, as text, smallest first.
    pub keys: Vec<String>,
}

/// How many keys a quarantine report lists.
pub const QUARANTINE_SAMPLE: usize = 10;

/// Where each event of a batch goes: `{"partitions": [n | null, …], "quarantined": [...]}`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Routing {
    /// Each event's partition, in input order; `None` for an event of a quarantined component.
    pub partitions: Vec<Option<usize>>,
    /// The quarantined components, largest first.
    pub quarantined: Vec<Quarantined>,
    /// The partition of each customer the batch names.
    #[serde(skip)]
    customers: FastMap<(IdType, String), usize>,
    #[serde(skip)]
    count: usize,
}

impl Routing {
    /// The partition that holds `customer`'s journey: its component's, or for a customer the batch
    /// never named, the partition its own key hashes to. `None` when it was quarantined.
    pub fn partition_of(&self, customer: &Customer) -> Option<usize> {
        match self.customers.get(&(customer.id_type, customer.id.clone())) {
            Some(&partition) => (partition != QUARANTINE).then_some(partition),
            None => Some(hash_to(&Key::Customer(customer.id_type, customer.id.clone()).canonical(), self.count)),
        }
    }
}

/// The marker of a quarantined customer in [`Routing`]'s map.
const QUARANTINE: usize = usize::MAX;

impl Router {
    /// A router to `partitions` partitions (1 to [`MAX_PARTITIONS`]); components of more than
    /// `cap` events are quarantined (`None`: never).
    pub fn new(partitions: usize, cap: Option<usize>) -> Result<Router> {
        check_partitions(partitions)?;
        Ok(Router { partitions, cap: cap.unwrap_or(usize::MAX).max(1) })
    }

    /// Routes a batch as the engine would read it: one entry per outcome `ingest_batch` would
    /// give (each non-blank NDJSON line, each array element, each value), in input order. Only
    /// bytes that are not a JSON array at all fail (`INVALID_JSON`, for [`Batch::JsonArray`]).
    pub fn route_batch(&self, catalog: &Catalog, batch: Batch<'_>) -> Result<Routing> {
        let keys: Vec<Vec<Key>> = match batch {
            Batch::Ndjson(bytes) => {
                let lines: Vec<&[u8]> = crate::model::input::ndjson_lines(bytes).map(|(_, line)| line).collect();
                in_parallel(&lines, |line| keys(catalog, line))
            }
            Batch::Values(values) => in_parallel(values, |value| keys_of_value(catalog, value)),
            Batch::JsonArray(bytes) => in_parallel(&crate::model::input::array_elements(bytes)?, |element| {
                keys(catalog, element.get().as_bytes())
            }),
        };
        Ok(self.route(&keys))
    }

    /// Routes a batch given as each event's keys, in input order.
    pub fn route(&self, events: &[Vec<Key>]) -> Routing {
        let mut sets = Components::default();
        let first: Vec<Option<usize>> = events
            .iter()
            .map(|keys| {
                let nodes: Vec<usize> = keys.iter().map(|key| sets.node(key)).collect();
                for pair in nodes.windows(2) {
                    sets.union(pair[0], pair[1]);
                }
                nodes.first().copied()
            })
            .collect();
        let roots: Vec<Option<usize>> = first.iter().map(|node| node.map(|n| sets.find(n))).collect();
        let mut sizes: FastMap<usize, usize> = FastMap::default();
        for root in roots.iter().flatten() {
            *sizes.entry(*root).or_default() += 1;
        }
        let representatives = sets.representatives();
        let partition_by_root: FastMap<usize, usize> = representatives
            .iter()
            .map(|(&root, key)| match sizes.get(&root) {
                Some(&size) if size > self.cap => (root, QUARANTINE),
                _ => (root, hash_to(&key.canonical(), self.partitions)),
            })
            .collect();
        let partition_of_root = |root: usize| partition_by_root[&root];
        let partitions = roots
            .iter()
            .enumerate()
            .map(|(position, root)| match root {
                Some(root) => Some(partition_of_root(*root)).filter(|p| *p != QUARANTINE),
                // An event with no key touches no state: any partition gives its outcome.
                None => Some(position % self.partitions),
            })
            .collect();
        let mut samples = sets.smallest_keys(|root| partition_of_root(root) == QUARANTINE, QUARANTINE_SAMPLE);
        let mut quarantined: Vec<Quarantined> = sizes
            .iter()
            .filter(|(_, size)| **size > self.cap)
            .map(|(root, size)| Quarantined {
                representative: representatives[root].canonical(),
                events: *size,
                keys: samples.remove(root).unwrap_or_default(),
            })
            .collect();
        quarantined.sort_by(|a, b| b.events.cmp(&a.events).then_with(|| a.representative.cmp(&b.representative)));
        let customers = sets
            .keys
            .iter()
            .filter_map(|(key, node)| match key {
                Key::Customer(id_type, id) => Some(((*id_type, id.clone()), partition_of_root(sets.find_const(*node)))),
                _ => None,
            })
            .collect();
        Routing { partitions, quarantined, customers, count: self.partitions }
    }
}

/// The partition of a component whose smallest key, as text, is `representative` (a producer's
/// partition for a customer no event links to another: `c:<idType>:<id>`): SipHash-1-3 with a
/// zero key, modulo the partition count, so that any language can compute it.
pub fn partition_for(representative: &str, partitions: usize) -> Result<usize> {
    check_partitions(partitions)?;
    Ok(hash_to(representative, partitions))
}

/// Smallest batch whose keys are read on more than one thread.
const PARALLEL_FROM: usize = 16_384;

/// `f` of each item, in order, on as many scoped threads as the machine has (each event's keys
/// are read independently; only the union-find after needs one thread). The threads end with the
/// call.
fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    if threads == 1 || items.len() < PARALLEL_FROM {
        return items.iter().map(f).collect();
    }
    let f = &f;
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(items.len().div_ceil(threads))
            .map(|chunk| scope.spawn(move || chunk.iter().map(f).collect::<Vec<R>>()))
            .collect();
        // A panic in `f` is a bug of the key reader; it surfaces here as in a one-thread map.
        workers.into_iter().flat_map(|worker| worker.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

/// [`partition_for`] of a count already checked.
pub(super) fn hash_to(representative: &str, partitions: usize) -> usize {
    let mut hasher = SipHasher13::new_with_keys(0, 0);
    hasher.write(representative.as_bytes());
    (hasher.finish() % partitions as u64) as usize
}

/// Union-find over keys: path halving and union by size.
#[derive(Default)]
pub(super) struct Components {
    keys: FastMap<Key, usize>,
    parent: Vec<usize>,
    size: Vec<usize>,
}

impl Components {
    /// The node of `key`, made on first sight.
    /// Whether `key` has a node yet.
    pub(super) fn contains(&self, key: &Key) -> bool {
        self.keys.contains_key(key)
    }

    /// The node of `key`, if it has one.
    pub(super) fn node_of(&self, key: &Key) -> Option<usize> {
        self.keys.get(key).copied()
    }

    pub(super) fn node(&mut self, key: &Key) -> usize {
        if let Some(&node) = self.keys.get(key) {
            return node;
        }
        let node = self.parent.len();
        self.parent.push(node);
        self.size.push(1);
        self.keys.insert(key.clone(), node);
        node
    }

    pub(super) fn find(&mut self, mut node: usize) -> usize {
        while self.parent[node] != node {
            self.parent[node] = self.parent[self.parent[node]];
            node = self.parent[node];
        }
        node
    }

    /// `find` without compressing, for a pass that only reads.
    pub(super) fn find_const(&self, mut node: usize) -> usize {
        while self.parent[node] != node {
            node = self.parent[node];
        }
        node
    }

    /// Joins the components of `a` and `b`; returns the root of the joined one.
    pub(super) fn union(&mut self, a: usize, b: usize) -> usize {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return a;
        }
        let (big, small) = if self.size[a] >= self.size[b] { (a, b) } else { (b, a) };
        self.parent[small] = big;
        self.size[big] += self.size[small];
        big
    }

    /// Each component's smallest key (in the order of their canonical texts), by root.
    fn representatives(&self) -> FastMap<usize, &Key> {
        let mut smallest: FastMap<usize, &Key> = FastMap::default();
        for (key, node) in &self.keys {
            smallest
                .entry(self.find_const(*node))
                .and_modify(|best| {
                    if key.canonical_cmp(best).is_lt() {
                        *best = key;
                    }
                })
                .or_insert(key);
        }
        smallest
    }

    /// The `n` smallest keys, as text, of each component whose root `wanted` accepts: the
    /// quarantine reports', in one pass over the keys.
    fn smallest_keys(&self, wanted: impl Fn(usize) -> bool, n: usize) -> FastMap<usize, Vec<String>> {
        let mut members: FastMap<usize, Vec<&Key>> = FastMap::default();
        for (key, node) in &self.keys {
            let root = self.find_const(*node);
            if wanted(root) {
                members.entry(root).or_default().push(key);
            }
        }
        members
            .into_iter()
            .map(|(root, mut keys)| {
                keys.sort_by(|a, b| a.canonical_cmp(b));
                (root, keys.into_iter().take(n).map(Key::canonical).collect())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::catalog::SessionKind;

    fn customer(id: &str) -> Key {
        Key::Customer(IdType::Email, id.into())
    }

    #[test]
    fn shared_ids_join_customers_and_big_components_are_quarantined() {
        let shared = Key::External(SessionKind::Custom, "order-1".into());
        let events = vec![
            vec![customer("a"), shared.clone()],
            vec![customer("b"), shared.clone()],
            vec![customer("c")],
            vec![],
            vec![customer("d"), Key::EventId(uuid::Uuid::from_u128(9))],
            vec![customer("e"), Key::EventId(uuid::Uuid::from_u128(9))],
        ];
        let routing = Router::new(16, None).unwrap().route(&events);
        assert_eq!(routing.partitions[0], routing.partitions[1], "a and b share an external id");
        assert_eq!(routing.partitions[4], routing.partitions[5], "d and e share an event id");
        assert_eq!(routing.partitions[0], Some(partition_for("c:email:a", 16).unwrap()), "the smallest key decides");
        assert_eq!(routing.partitions[3], Some(3), "a keyless event goes by its position");
        let b = Customer::new("b", IdType::Email);
        assert_eq!(routing.partition_of(&b), routing.partitions[0]);
        let stranger = Customer::new("z", IdType::Email);
        assert_eq!(routing.partition_of(&stranger), Some(partition_for("c:email:z", 16).unwrap()));

        let capped = Router::new(16, Some(1)).unwrap().route(&events);
        assert_eq!((capped.partitions[0], capped.partitions[1]), (None, None));
        assert!(capped.partitions[2].is_some());
        assert_eq!(capped.quarantined.len(), 2);
        assert_eq!(capped.quarantined[0].events, 2);
        assert_eq!(capped.quarantined[0].representative, "c:email:a");
        assert_eq!(capped.partition_of(&b), None);
        assert!(Router::new(0, None).is_err());
    }

    #[test]
    fn a_batch_is_routed_as_the_engine_reads_it() {
        let catalog =
            Catalog::from_json(r#"{"sessionTypes": [{"name": "d", "kind": "custom", "eventTypes": [{"name": "x"}]}]}"#)
                .unwrap();
        let event = |c: &str, o: &str| {
            format!(r#"{{"customer":{{"id":"{c}","idType":"email"}},"session":{{"type":"d","externalId":"{o}"}}}}"#)
        };
        let lines = [event("a", "o1"), event("b", "o1"), "{broken".into(), event("c", "o2")];
        let router = Router::new(8, None).unwrap();
        let ndjson = router
            .route_batch(
                &catalog,
                Batch::Ndjson(format!("{}\n\n{}\n{}\n{}", lines[0], lines[1], lines[2], lines[3]).as_bytes()),
            )
            .unwrap();
        let array = router
            .route_batch(
                &catalog,
                Batch::JsonArray(format!("[{}, {}, 7, {}]", lines[0], lines[1], lines[3]).as_bytes()),
            )
            .unwrap();
        assert_eq!(ndjson.partitions.len(), 4, "one entry per non-blank line");
        assert_eq!(ndjson.partitions[0], ndjson.partitions[1]);
        assert_eq!(ndjson.partitions[2], Some(2), "an unreadable line goes by its position");
        assert_eq!(array.partitions[0], ndjson.partitions[0]);
        assert_eq!(array.partitions[3], ndjson.partitions[3]);
        assert_eq!(serde_json::to_value(&ndjson).unwrap()["partitions"].as_array().unwrap().len(), 4);
        assert_eq!(router.route_batch(&catalog, Batch::JsonArray(b"{}")).unwrap_err().code(), "INVALID_JSON");
        // An element with a repeated key is refused on its own by the engine, and routed on its own here.
        let repeated = router.route_batch(&catalog, Batch::JsonArray(br#"[{"a":1,"a":2}, {}]"#)).unwrap();
        assert_eq!(repeated.partitions, vec![Some(0), Some(1)]);
    }

    #[test]
    fn routing_does_not_depend_on_input_order() {
        let events: Vec<Vec<Key>> = (0..200)
            .map(|i| {
                vec![customer(&format!("c{}", i % 37)), Key::External(SessionKind::Custom, format!("o{}", i % 23))]
            })
            .collect();
        let forward = Router::new(4, None).unwrap().route(&events);
        let mut reversed = events.clone();
        reversed.reverse();
        let backward = Router::new(4, None).unwrap().route(&reversed);
        let mut back: Vec<Option<usize>> = backward.partitions.clone();
        back.reverse();
        assert_eq!(forward.partitions, back);
    }
}
