//! The tree of paths: one node per distinct prefix of steps, with its counts and the gaps between
//! steps, and the result it becomes (docs/paths.md, "Result").

use crate::base::shard::FastMap;
use crate::base::time::Millis;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// The answer of `paths`: `{"groups": [...]}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathsResult {
    /// One per value of `groupBy` (one, with `group: null`, without it), by value, `null` last.
    pub groups: Vec<PathGroup>,
}

/// The paths of one group: `{"group", "sessions", "customers", "steps", "hidden"}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathGroup {
    /// The `groupBy` attribute's value; `null` without `groupBy`, or for sessions without it.
    pub group: Option<Value>,
    /// Sessions with a path.
    pub sessions: u64,
    /// Distinct customers of those sessions.
    pub customers: u64,
    /// The first steps.
    pub steps: Vec<PathNode>,
    /// Sessions whose paths were cut by `minCellSize`, at the first node it hid.
    pub hidden: u64,
}

/// One step after the steps above it: `{"step", "sessions", "customers", "share", "dropOff",
/// "medianMs", "p90Ms", "steps"}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PathNode {
    /// The step's name, as in the query's `steps` (or the event name).
    pub step: String,
    /// Sessions whose path went through it.
    pub sessions: u64,
    /// Distinct customers of those sessions.
    pub customers: u64,
    /// `sessions` over the group's sessions, to 4 places.
    pub share: f64,
    /// Sessions whose path ends here.
    pub drop_off: u64,
    /// Median time from the previous step, in milliseconds (`null` at the first step).
    pub median_ms: Option<i64>,
    /// 90th percentile of the time from the previous step (nearest rank).
    pub p90_ms: Option<i64>,
    /// The steps after it.
    pub steps: Vec<PathNode>,
}

type NodeId = usize;

/// Most groups a result may have: `groupBy` is for an attribute with a few values (a channel, a
/// device, a campaign), not one per session (an order id), which would make the result as large as
/// the data.
pub const MAX_GROUPS: usize = 1_000;

#[derive(Default)]
struct Node {
    label: String,
    children: FastMap<String, NodeId>,
    sessions: u64,
    customers: u64,
    ends: u64,
    gaps: Vec<i64>,
}

/// Paths as they are added, by group.
#[derive(Default)]
pub(crate) struct Tree {
    nodes: Vec<Node>,
    /// Group value as JSON text (`None`: no value) → its root node.
    groups: BTreeMap<Option<String>, NodeId>,
    /// The nodes the current customer's sessions went through, counted once each when the
    /// customer is done.
    touched: Vec<NodeId>,
}

impl Tree {
    /// Adds one session's path: its steps' labels and times, in path order. Returns `false`, and
    /// adds nothing, when the path's group would be one more than [`MAX_GROUPS`].
    pub fn add(&mut self, group: Option<&Value>, path: &[(&str, Millis)]) -> bool {
        let key = group.map(Value::to_string);
        let root = match self.groups.get(&key) {
            Some(&root) => root,
            None if self.groups.len() >= MAX_GROUPS => return false,
            None => {
                let root = self.new_node(String::new());
                self.groups.insert(key, root);
                root
            }
        };
        let mut at = root;
        self.visit(at);
        for (i, (label, time)) in path.iter().enumerate() {
            let next = match self.nodes[at].children.get(*label) {
                Some(&child) => child,
                None => {
                    let child = self.new_node((*label).to_owned());
                    self.nodes[at].children.insert((*label).to_owned(), child);
                    child
                }
            };
            if i > 0 {
                self.nodes[next].gaps.push((time - path[i - 1].1).abs());
            }
            at = next;
            self.visit(at);
        }
        self.nodes[at].ends += 1;
        true
    }

    /// Counts each node the customer's sessions went through once.
    pub fn end_customer(&mut self) {
        self.touched.sort_unstable();
        self.touched.dedup();
        for &node in &self.touched {
            self.nodes[node].customers += 1;
        }
        self.touched.clear();
    }

    fn visit(&mut self, node: NodeId) {
        self.nodes[node].sessions += 1;
        self.touched.push(node);
    }

    fn new_node(&mut self, label: String) -> NodeId {
        self.nodes.push(Node { label, ..Node::default() });
        self.nodes.len() - 1
    }

    /// The result, hiding nodes of fewer than `min_cell_size` sessions.
    pub fn finish(mut self, min_cell_size: usize) -> PathsResult {
        let groups = std::mem::take(&mut self.groups);
        let mut result: Vec<(Option<String>, PathGroup)> = groups
            .into_iter()
            .map(|(key, root)| {
                let total = self.nodes[root].sessions;
                let mut hidden = 0;
                let steps = self.children(root, total, min_cell_size as u64, &mut hidden);
                let group = key.as_deref().and_then(|text| serde_json::from_str(text).ok());
                let node = &self.nodes[root];
                (key, PathGroup { group, sessions: node.sessions, customers: node.customers, steps, hidden })
            })
            .collect();
        // By value, `null` last.
        result.sort_by(|(a, _), (b, _)| (a.is_none(), a).cmp(&(b.is_none(), b)));
        PathsResult { groups: result.into_iter().map(|(_, group)| group).collect() }
    }

    fn children(&mut self, parent: NodeId, total: u64, min_cell_size: u64, hidden: &mut u64) -> Vec<PathNode> {
        let mut ids: Vec<NodeId> = self.nodes[parent].children.values().copied().collect();
        ids.sort_by(|&a, &b| {
            let (a, b) = (&self.nodes[a], &self.nodes[b]);
            b.sessions.cmp(&a.sessions).then_with(|| a.label.cmp(&b.label))
        });
        let mut shown = Vec::with_capacity(ids.len());
        for id in ids {
            if self.nodes[id].sessions < min_cell_size {
                *hidden += self.nodes[id].sessions;
                continue;
            }
            let steps = self.children(id, total, min_cell_size, hidden);
            let node = &mut self.nodes[id];
            let (median_ms, p90_ms) = (percentile(&mut node.gaps, 50), percentile(&mut node.gaps, 90));
            shown.push(PathNode {
                step: std::mem::take(&mut node.label),
                sessions: node.sessions,
                customers: node.customers,
                share: (node.sessions as f64 / total.max(1) as f64 * 10_000.0).round() / 10_000.0,
                drop_off: node.ends,
                median_ms,
                p90_ms,
                steps,
            });
        }
        shown
    }
}

/// The `p`th percentile of `values` by nearest rank (the smallest value with at least `p`% of the
/// values at or below it); `None` when there are none.
fn percentile(values: &mut [i64], p: usize) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let rank = (p * values.len()).div_ceil(100).max(1);
    let (_, nth, _) = values.select_nth_unstable(rank - 1);
    Some(*nth)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        assert_eq!(percentile(&mut [], 50), None);
        assert_eq!(percentile(&mut [7], 90), Some(7));
        assert_eq!(percentile(&mut [4, 1, 3, 2], 50), Some(2));
        assert_eq!(percentile(&mut (1..=10).rev().collect::<Vec<_>>(), 90), Some(9));
    }

    #[test]
    fn counts_at_each_depth_sum_to_the_depth_above_minus_drop_offs() {
        let mut tree = Tree::default();
        assert!(tree.add(None, &[("a", 0), ("b", 10), ("c", 30)]));
        assert!(tree.add(None, &[("a", 0), ("b", 20)]));
        tree.end_customer();
        assert!(tree.add(None, &[("a", 5)]));
        assert!(tree.add(None, &[("x", 5), ("b", 6)]));
        tree.end_customer();
        let result = tree.finish(0);
        let group = &result.groups[0];
        assert_eq!((group.sessions, group.customers), (4, 2));
        let a = &group.steps[0];
        assert_eq!((a.step.as_str(), a.sessions, a.customers, a.drop_off, a.share), ("a", 3, 2, 1, 0.75));
        assert_eq!(a.steps[0].sessions, a.sessions - a.drop_off);
        assert_eq!((a.steps[0].median_ms, a.steps[0].p90_ms), (Some(10), Some(20)));
        let hidden = Tree::default();
        assert_eq!(hidden.finish(0).groups, vec![]);
    }

    #[test]
    fn a_group_past_the_limit_is_refused() {
        let mut tree = Tree::default();
        for n in 0..MAX_GROUPS {
            assert!(tree.add(Some(&Value::from(n)), &[("a", 0)]));
        }
        assert!(tree.add(Some(&Value::from(0)), &[("a", 0)]), "an existing group takes more");
        assert!(!tree.add(Some(&Value::from(MAX_GROUPS)), &[("a", 0)]));
        assert_eq!(tree.finish(0).groups.len(), MAX_GROUPS);
    }
}
