//! The index entries of one event type (what its events may count), found by one lookup per
//! attribute rather than by one test per entry.
//!
//! Realistic definitions name almost every event type, so an event's type lists many entries,
//! most of them testing one attribute against a value or two (`page.url containsAny "/p/0123"`,
//! `attributes.reason equal "r042"`): testing each makes every event pay for every definition of
//! its type. Here the values of such tests are compiled per attribute: `equal` values into hash
//! maps from value to entries, `startsWith` and `endsWith` values into maps by prefix and suffix,
//! `containsAny` values into one Aho-Corasick automaton. An event reads each attribute once, and
//! the lookups name the entries whose test holds, at a cost that does not grow with their number.
//!
//! Each entry has at most one test a lookup stands for (its key); its other tests run on the
//! entries found, and an entry with no such test (negative operators, orderings, datetimes, an
//! empty value) runs all its tests on every event, as before. A lookup finds exactly the entries
//! whose key test holds ([`Test::holds`]): the same value read, the same text of a number or a
//! boolean, the same lowering for criteria that ignore case, numbers compared as numbers.
//!
//! Matching runs in two halves. The **event's half** ([`Entries::event_side`]) reads only the
//! event: the lookups on its attributes and every test that reads the event, so a batch runs it
//! on its pool while the window before is applied (docs/performance.md). The **session's half**
//! ([`Entries::finish`]) runs in the event's turn, on the session the event joined: the tests
//! that read a session attribute, on the entries the event's half kept, and the entries whose key
//! is a session attribute, found by their lookups. Each entry is decided by exactly one path, so
//! the halves together find what testing every entry would.

use super::matching::{Facts, Scalar, Subject, Test, Values};
use crate::base::shard::FastMap;
use crate::model::orchestration::Operator;
use aho_corasick::{AhoCorasick, AhoCorasickKind};
use std::borrow::Cow;
use std::sync::OnceLock;

/// What an index entry counts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    /// A segment, by its place in the compiled rules' segments.
    Segment(usize),
    /// An outcome, by its place in the compiled rules' outcomes.
    Outcome(usize),
    /// An action map's event condition, by the map's place in the compiled rules' maps.
    Map(usize),
}

/// One pattern (or event condition) compiled for one event type.
#[derive(Debug, Clone)]
pub(crate) struct Counted {
    pub owner: Owner,
    /// The pattern's (or condition's) place in its definition.
    pub pattern: usize,
    /// Every test must hold for the event to count.
    pub tests: Box<[Test]>,
    /// The test a lookup finds the entry by, if one can ([`Entries`]).
    pub key: Option<usize>,
}

/// The entries of one event type whose tests on the event hold: the event's half of matching
/// ([`Entries::event_side`]), by place in [`Entries::all`], in order. Most events keep none, and
/// then nothing is allocated.
pub(crate) type EventSide = Vec<u32>;

/// The entries of one event type, and the lookups that find them.
#[derive(Debug, Clone)]
pub(crate) struct Entries {
    /// Every entry, in the order evaluation counts them.
    pub all: Box<[Counted]>,
    /// Built by the first event that needs them: explain and estimate compile rules for each call
    /// and test their entries one by one, and a put need not pay for the event types no event
    /// comes in for.
    lookups: OnceLock<Lookups>,
}

/// The lookups of one event type's entries.
#[derive(Debug, Clone)]
struct Lookups {
    /// The lookups per event attribute that some entry's key test reads (the event's half).
    attributes: Box<[Attribute]>,
    /// The lookups per session attribute that some entry's key test reads (the session's half).
    session_attributes: Box<[Attribute]>,
    /// The entries with no key test, by place in the entries: their tests run on every event.
    tested: Box<[u32]>,
    /// Whether each entry has a test on a session attribute, by place in the entries.
    reads_session: Box<[bool]>,
}

impl Entries {
    /// The entries of one event type, each with its key test chosen.
    pub fn new(mut all: Vec<Counted>) -> Entries {
        for entry in &mut all {
            entry.key = choose_key(&entry.tests);
        }
        Entries { all: all.into_boxed_slice(), lookups: OnceLock::new() }
    }

    fn lookups(&self) -> &Lookups {
        self.lookups.get_or_init(|| Lookups::new(&self.all))
    }

    /// The entries every test of which holds on the event `facts` describes, in entry order:
    /// both halves of matching at once.
    pub fn matching(&self, facts: &dyn Facts) -> Vec<&Counted> {
        self.finish(&self.event_side(facts), facts)
    }

    /// The event's half of matching: the entries found by a lookup on an event attribute, and the
    /// entries with no key, whose tests on the event hold. Reads nothing but the event (never a
    /// session attribute), so it may run before the event's turn.
    pub fn event_side(&self, facts: &dyn Facts) -> EventSide {
        let lookups = self.lookups();
        let mut found = Vec::new();
        for attribute in lookups.attributes.iter() {
            attribute.find(facts, &mut found);
        }
        // An entry may be found more than once (two of its values in one URL): dedup first, so
        // its other tests run once. (Most events find none or one: then the sort's code is not run.)
        if found.len() > 1 {
            found.sort_unstable();
            found.dedup();
        }
        found.retain(|place| self.all[*place as usize].event_tests_hold(facts));
        let before = found.len();
        found.extend(lookups.tested.iter().copied().filter(|place| self.all[*place as usize].event_tests_hold(facts)));
        if before > 0 && found.len() > before {
            found.sort_unstable();
        }
        found
    }

    /// The session's half of matching, in the event's turn: of `event_side` (the event's half on
    /// the same event), the entries whose tests on session attributes hold too, and the entries
    /// found by a lookup on a session attribute whose other tests hold; in entry order.
    pub fn finish(&self, event_side: &[u32], facts: &dyn Facts) -> Vec<&Counted> {
        let lookups = self.lookups();
        let session_holds = |place: &u32| {
            !lookups.reads_session[*place as usize] || self.all[*place as usize].session_tests_hold(facts)
        };
        let mut kept: Vec<u32> = event_side.iter().copied().filter(session_holds).collect();
        let mut found = Vec::new();
        for attribute in lookups.session_attributes.iter() {
            attribute.find(facts, &mut found);
        }
        if !found.is_empty() {
            if found.len() > 1 {
                found.sort_unstable();
                found.dedup();
            }
            found.retain(|place| self.all[*place as usize].others_hold(facts));
            let before = kept.len();
            kept.extend(found);
            if before > 0 {
                kept.sort_unstable();
            }
        }
        kept.into_iter().map(|place| &self.all[place as usize]).collect()
    }
}

impl Lookups {
    /// Compiles the lookups that find `all` by their key tests.
    fn new(all: &[Counted]) -> Lookups {
        let (mut attributes, mut session_attributes): (Vec<Attribute>, Vec<Attribute>) = (Vec::new(), Vec::new());
        let mut tested = Vec::new();
        for (place, entry) in all.iter().enumerate() {
            let place = place as u32;
            let Some(key) = entry.key.map(|k| &entry.tests[k]) else {
                tested.push(place);
                continue;
            };
            let half = if key.subject.is_session() { &mut session_attributes } else { &mut attributes };
            let at = match half.iter().position(|a| a.subject == key.subject) {
                Some(at) => at,
                None => {
                    half.push(Attribute::new(key.subject.clone()));
                    half.len() - 1
                }
            };
            half[at].add(key, place);
        }
        attributes.iter_mut().chain(&mut session_attributes).for_each(Attribute::finish);
        let reads_session = all.iter().map(|entry| entry.tests.iter().any(|t| t.subject.is_session())).collect();
        Lookups {
            attributes: attributes.into(),
            session_attributes: session_attributes.into(),
            tested: tested.into(),
            reads_session,
        }
    }
}

impl Counted {
    /// Whether every test holds on the event `facts` describes: what the lookups must agree with.
    #[cfg(test)]
    fn holds(&self, facts: &dyn Facts) -> bool {
        self.tests.iter().all(|test| test.holds(facts))
    }

    /// Whether every test but the key (which the lookup that found the entry stands for) holds.
    fn others_hold(&self, facts: &dyn Facts) -> bool {
        self.tests.iter().enumerate().all(|(i, test)| Some(i) == self.key || test.holds(facts))
    }

    /// Whether every test on the event, but a key on the event, holds (the event's half).
    fn event_tests_hold(&self, facts: &dyn Facts) -> bool {
        let on_event = |(i, test): &(usize, &Test)| !test.subject.is_session() && Some(*i) != self.key;
        self.tests.iter().enumerate().filter(on_event).all(|(_, test)| test.holds(facts))
    }

    /// Whether every test on a session attribute holds (the session's half, for an entry the
    /// event's half kept: its key, if any, is on the event).
    fn session_tests_hold(&self, facts: &dyn Facts) -> bool {
        self.tests.iter().filter(|test| test.subject.is_session()).all(|test| test.holds(facts))
    }
}

/// The test a lookup finds the entry by: an `equal` on an event's attribute first (the most
/// selective, and the cheapest to read), a session attribute last (reading one copies it).
fn choose_key(tests: &[Test]) -> Option<usize> {
    let rank = |test: &Test| {
        let session = matches!(test.subject, Subject::Session { .. });
        (session, test.operator != Operator::Equal)
    };
    tests.iter().enumerate().filter(|(_, test)| keyable(test)).min_by_key(|(_, test)| rank(test)).map(|(i, _)| i)
}

/// Whether a lookup can find exactly the events `test` holds on. The negative operators hold on
/// an absent value and on most values; an empty text value is contained in every text; orderings
/// and datetimes are left to the test.
fn keyable(test: &Test) -> bool {
    use Operator::*;
    match (&test.values, test.operator) {
        (Values::Text { .. } | Values::Number(_) | Values::Bool(_), Equal) => true,
        (Values::Text { values, .. }, ContainsAny | StartsWith | EndsWith) => values.iter().all(|v| !v.is_empty()),
        // All of one value is any of it.
        (Values::Text { values, .. }, ContainsAll) => values.len() == 1 && !values[0].is_empty(),
        _ => false,
    }
}

/// The key for an `equal` number: its bits, both zeros as one (`-0.0 == 0.0`).
fn number_key(n: f64) -> u64 {
    if n == 0.0 { 0 } else { n.to_bits() }
}

/// The lookups on one attribute. Each kind of lookup is boxed, and absent when no entry needs it:
/// an event reads the lookups of every attribute its type's entries test, and keeping this to one
/// cache line (and the lookups it does not use out of it) is most of what a lookup costs.
#[derive(Debug, Clone)]
struct Attribute {
    subject: Subject,
    /// Values of case-sensitive criteria, against the value's text.
    exact: Option<Box<Texts>>,
    /// Values of criteria that ignore case (lowered when compiled), against the lowered text.
    folded: Option<Box<Texts>>,
    /// `equal` numbers, by [`number_key`].
    numbers: Option<Box<FastMap<u64, Vec<u32>>>>,
    /// `equal` booleans: the entries `false` satisfies, then those `true` does.
    bools: Option<Box<[Vec<u32>; 2]>>,
}

impl Attribute {
    fn new(subject: Subject) -> Attribute {
        Attribute { subject, exact: None, folded: None, numbers: None, bools: None }
    }

    /// Adds entry `place`, found when its key test `key` holds.
    fn add(&mut self, key: &Test, place: u32) {
        match &key.values {
            Values::Text { values, ignore_case } => {
                let texts = if *ignore_case { &mut self.folded } else { &mut self.exact };
                let texts = texts.get_or_insert_with(Box::default);
                for value in values.iter() {
                    texts.add(key.operator, value, place);
                }
            }
            Values::Number(values) => {
                let numbers = self.numbers.get_or_insert_with(Box::default);
                // NaN equals nothing, not even itself.
                for n in values.iter().filter(|n| !n.is_nan()) {
                    numbers.entry(number_key(*n)).or_default().push(place);
                }
            }
            Values::Bool(values) => {
                let bools = self.bools.get_or_insert_with(Box::default);
                values.iter().for_each(|b| bools[usize::from(*b)].push(place));
            }
            Values::Time(_) => unreachable!("an equal on datetimes is not a key"),
        }
    }

    fn finish(&mut self) {
        self.exact.iter_mut().chain(self.folded.iter_mut()).for_each(|texts| texts.finish());
    }

    /// Adds to `found` the entries whose key test holds on the event `facts` describes: none when
    /// the attribute is absent (no key test is negative).
    fn find(&self, facts: &dyn Facts, found: &mut Vec<u32>) {
        let Some(value) = self.subject.value(facts) else { return };
        match (&value, &self.numbers, &self.bools) {
            (Scalar::Number(n), Some(numbers), _) => found.extend(numbers.get(&number_key(*n)).into_iter().flatten()),
            (Scalar::Bool(b), _, Some(bools)) => found.extend(&bools[usize::from(*b)]),
            _ => {}
        }
        if self.exact.is_none() && self.folded.is_none() {
            return;
        }
        // As `matching::holds` reads a value for a text criterion: a number or a boolean as text.
        let text: Cow<'_, str> = match &value {
            Scalar::Text(text) => Cow::Borrowed(text.as_ref()),
            other => Cow::Owned(other.text()),
        };
        if let Some(exact) = &self.exact {
            exact.find(&text, found);
        }
        if let Some(folded) = &self.folded {
            folded.find(&text.to_lowercase(), found);
        }
    }
}

/// The lookups of text values compared one way (case-sensitively, or lowered), each boxed and
/// absent when no entry needs it, for the reason [`Attribute`] says.
#[derive(Debug, Clone, Default)]
struct Texts {
    equal: Option<Box<FastMap<Box<str>, Vec<u32>>>>,
    starts: Option<Box<Affixes>>,
    ends: Option<Box<Affixes>>,
    contains: Option<Box<Contained>>,
}

impl Texts {
    fn add(&mut self, operator: Operator, value: &str, place: u32) {
        match operator {
            Operator::Equal => self.equal.get_or_insert_with(Box::default).entry(value.into()).or_default().push(place),
            Operator::StartsWith => self.starts.get_or_insert_with(Box::default).add(value, place),
            Operator::EndsWith => self.ends.get_or_insert_with(Box::default).add(value, place),
            Operator::ContainsAny | Operator::ContainsAll => {
                self.contains.get_or_insert_with(Box::default).add(value, place)
            }
            _ => unreachable!("{operator:?} is not a key"),
        }
    }

    fn finish(&mut self) {
        if let Some(contains) = &mut self.contains {
            contains.finish();
        }
    }

    fn find(&self, text: &str, found: &mut Vec<u32>) {
        if let Some(equal) = &self.equal {
            found.extend(equal.get(text).into_iter().flatten());
        }
        let bytes = text.as_bytes();
        if let Some(starts) = &self.starts {
            starts.find(|len| bytes.get(..len), found);
        }
        if let Some(ends) = &self.ends {
            ends.find(|len| bytes.len().checked_sub(len).map(|from| &bytes[from..]), found);
        }
        if let Some(contains) = &self.contains {
            contains.find(text, found);
        }
    }
}

/// Prefixes (or suffixes), by value, with the lengths to try: one hash lookup per distinct length.
/// Compared as bytes, as `str::starts_with` does.
#[derive(Debug, Clone, Default)]
struct Affixes {
    by_value: FastMap<Box<[u8]>, Vec<u32>>,
    lengths: Vec<usize>,
}

impl Affixes {
    fn add(&mut self, value: &str, place: u32) {
        self.by_value.entry(value.as_bytes().into()).or_default().push(place);
        if let Err(at) = self.lengths.binary_search(&value.len()) {
            self.lengths.insert(at, value.len());
        }
    }

    /// `affix(len)`: the text's prefix (or suffix) of `len` bytes, `None` when it is shorter.
    fn find<'t>(&self, affix: impl Fn(usize) -> Option<&'t [u8]>, found: &mut Vec<u32>) {
        for part in self.lengths.iter().map_while(|len| affix(*len)) {
            found.extend(self.by_value.get(part).into_iter().flatten());
        }
    }
}

/// The most bytes of values one automaton is built from. An automaton takes about twelve times
/// its values' bytes and is built by the first event of its type, under that customer's shard
/// lock: 500 definitions of 100 values of 1,000 characters (the limits) would take 600 MB and 35 s.
/// Past this, each value is searched, as before the lookups, at the values' own size.
const MAX_AUTOMATON_BYTES: usize = 1 << 20;

/// Values a text must contain, in one automaton that finds every one of them in one pass.
#[derive(Debug, Clone, Default)]
struct Contained {
    /// Each distinct value, by its pattern id in the automaton.
    values: Vec<Box<str>>,
    /// Each distinct value's entries, by its pattern id.
    entries: Vec<Vec<u32>>,
    /// Each distinct value's pattern id, while compiling.
    ids: FastMap<Box<str>, usize>,
    /// `None` until compiled, or if the values were too many for one (then each is searched).
    automaton: Option<AhoCorasick>,
}

impl Contained {
    fn add(&mut self, value: &str, place: u32) {
        let next = self.values.len();
        let id = *self.ids.entry(value.into()).or_insert(next);
        if id == next {
            self.values.push(value.into());
            self.entries.push(Vec::new());
        }
        self.entries[id].push(place);
    }

    /// Builds the automaton from the values added, in pattern id order, unless they are more than
    /// [`MAX_AUTOMATON_BYTES`]; once built, the values are not kept (only the search without one
    /// reads them).
    fn finish(&mut self) {
        self.ids = FastMap::default();
        if self.values.iter().map(|v| v.len()).sum::<usize>() > MAX_AUTOMATON_BYTES {
            return;
        }
        // Standard semantics report every occurrence of every value, overlapping ones included. A
        // contiguous NFA, not a DFA: an event type has its own automaton, and a DFA's tables (tens
        // of kilobytes each) would not stay in cache across the event types an engine sees.
        let mut automaton = AhoCorasick::builder();
        automaton.kind(Some(AhoCorasickKind::ContiguousNFA));
        self.automaton = automaton.build(self.values.iter().map(|v| v.as_bytes())).ok();
        if self.automaton.is_some() {
            self.values = Vec::new();
        }
    }

    fn find(&self, text: &str, found: &mut Vec<u32>) {
        match &self.automaton {
            Some(automaton) => {
                for hit in automaton.find_overlapping_iter(text) {
                    found.extend(&self.entries[hit.pattern().as_usize()]);
                }
            }
            None => {
                for (value, entries) in self.values.iter().zip(&self.entries) {
                    if text.contains(value.as_ref()) {
                        found.extend(entries);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_past_the_automatons_bound_are_searched_one_by_one() {
        let (mut small, mut large) = (Contained::default(), Contained::default());
        small.add("/p/0123", 0);
        small.add("/p/01", 1);
        let long = "x".repeat(MAX_AUTOMATON_BYTES);
        large.add(&long, 0);
        large.add("/p/01", 1);
        small.finish();
        large.finish();
        assert!(small.automaton.is_some() && small.values.is_empty(), "built, the values not kept");
        assert!(large.automaton.is_none() && large.values.len() == 2, "past the bound: the values, searched");
        for contained in [&small, &large] {
            let mut found = Vec::new();
            contained.find("/shop/p/0123?x", &mut found);
            found.sort_unstable();
            assert_eq!(found, if contained.automaton.is_some() { vec![0, 1] } else { vec![1] });
        }
    }

    #[test]
    fn the_automaton_finds_every_value_the_text_contains() {
        // Overlapping values, values that end inside others, a prefix of another, repeats, and
        // multi-byte text.
        let values = ["/p/0123", "/p/01", "0123?", "23", "3?r", "p/0", "/", "ß", "straße", "aaa", "aa"];
        let texts = ["https://shop.example.com/p/0123?ref=home", "/p/01", "straßestraße", "aaaa", "", "x/p/0"];
        let mut contained = Contained::default();
        for (place, value) in values.iter().enumerate() {
            contained.add(value, place as u32);
            contained.add(value, 100 + place as u32);
        }
        contained.finish();
        assert!(contained.automaton.is_some());
        for text in texts {
            let mut found = Vec::new();
            contained.find(text, &mut found);
            found.sort_unstable();
            found.dedup();
            let holding = values.iter().enumerate().filter(|(_, value)| text.contains(*value)).map(|(p, _)| p as u32);
            let mut expected: Vec<u32> = holding.flat_map(|p| [p, 100 + p]).collect();
            expected.sort_unstable();
            assert_eq!(found, expected, "{text}");
        }
    }

    /// An event's values: attributes 0 (text), 1 (number), 2 (boolean) of its type, an extra
    /// attribute, and session attribute 0 (text).
    #[derive(Clone, Default)]
    struct Event {
        attributes: [Option<Scalar<'static>>; 3],
        extra: Option<Scalar<'static>>,
        session: Option<Scalar<'static>>,
    }

    impl Facts for Event {
        fn event_attribute(&self, index: usize, _name: &str) -> Option<Scalar<'_>> {
            self.attributes[index].clone()
        }

        fn attribute(&self, name: &str) -> Option<Scalar<'_>> {
            match name {
                "extra" => self.extra.clone(),
                "url" => self.attributes[0].clone(),
                _ => None,
            }
        }

        fn session_attribute(&self, _slot: usize, _name: &str) -> Option<Scalar<'static>> {
            self.session.clone()
        }
    }

    fn text(value: &str) -> Option<Scalar<'static>> {
        Some(Scalar::Text(Cow::Owned(value.to_owned())))
    }

    const OPERATORS: [Operator; 12] = {
        use Operator::*;
        [
            Equal,
            NotEqual,
            ContainsAll,
            ContainsAny,
            NotContainsAll,
            NotContainsAny,
            GreaterThan,
            GreaterThanOrEqual,
            LessThan,
            LessThanOrEqual,
            StartsWith,
            EndsWith,
        ]
    };

    /// Text value sets, as compiled (lowered when they ignore case): empty, multi-byte, a value
    /// whose lowering changes its length, a value in two sets, and none at all.
    const TEXTS: [&[&str]; 9] = [
        &["/p/0123"],
        &["/p/0123", "/p/0456"],
        &["https://shop", "home"],
        &["?ref=home"],
        &[""],
        &["5"],
        &["i\u{307}stanbul"],
        &["straße", "0123?"],
        &[],
    ];

    fn subjects() -> Vec<Subject> {
        vec![
            Subject::Event { index: 0, name: "url".into() },
            Subject::Extra("extra".into()),
            Subject::Session { slot: 0, name: "region".into() },
        ]
    }

    /// One test of every operator, value set and case handling on each text subject, and every
    /// operator on numbers, booleans and datetimes.
    fn tests() -> Vec<Test> {
        let mut tests = Vec::new();
        for subject in subjects() {
            for operator in OPERATORS {
                for values in TEXTS {
                    for ignore_case in [false, true] {
                        let values =
                            Values::Text { values: values.iter().map(|v| v.to_string()).collect(), ignore_case };
                        tests.push(Test { subject: subject.clone(), operator, values });
                    }
                }
            }
        }
        let number = Subject::Event { index: 1, name: "amount".into() };
        let flag = Subject::Event { index: 2, name: "flag".into() };
        for operator in OPERATORS {
            for values in [&[5.0][..], &[0.0], &[-0.0, 7.0], &[f64::NAN], &[]] {
                tests.push(Test { subject: number.clone(), operator, values: Values::Number(values.into()) });
            }
            tests.push(Test { subject: number.clone(), operator, values: Values::Time([5].into()) });
            for values in [&[true][..], &[false], &[true, false]] {
                tests.push(Test { subject: flag.clone(), operator, values: Values::Bool(values.into()) });
            }
        }
        tests
    }

    /// Entries of one test each, and of two (a key and another test, in both orders).
    fn entries() -> Vec<Counted> {
        let tests = tests();
        let one = tests.iter().map(|test| vec![test.clone()]);
        let two = tests.iter().zip(tests.iter().rev().step_by(7)).map(|(a, b)| vec![a.clone(), b.clone()]);
        let none = std::iter::once(Vec::new());
        one.chain(two)
            .chain(none)
            .enumerate()
            .map(|(i, tests)| Counted { owner: Owner::Segment(i), pattern: 0, tests: tests.into(), key: None })
            .collect()
    }

    fn events() -> Vec<Event> {
        let texts = [
            None,
            text("https://shop.example.com/p/0123?ref=home"),
            text("HTTPS://SHOP.EXAMPLE.COM/P/0456?REF=HOME"),
            text("/p/0123"),
            text("İstanbul/STRASSE/straße"),
            text(""),
            text("5"),
            Some(Scalar::Number(5.0)),
            Some(Scalar::Bool(true)),
        ];
        let numbers =
            [None, Some(Scalar::Number(5.0)), Some(Scalar::Number(-0.0)), Some(Scalar::Number(7.0)), text("5")];
        let flags = [None, Some(Scalar::Bool(true)), Some(Scalar::Bool(false)), text("true")];
        let mut events = Vec::new();
        for (i, value) in texts.iter().enumerate() {
            for (j, number) in numbers.iter().enumerate() {
                let flag = flags[(i + j) % flags.len()].clone();
                let extra = texts[(i + 2 * j) % texts.len()].clone();
                let session = texts[(i * 3 + j) % texts.len()].clone();
                events.push(Event { attributes: [value.clone(), number.clone(), flag], extra, session });
            }
        }
        events
    }

    #[test]
    fn the_lookups_find_exactly_the_entries_whose_tests_hold() {
        let entries = Entries::new(entries());
        let tested = entries.lookups().tested.len();
        let keyed = entries.all.len() - tested;
        assert!(keyed > 200 && tested > 200, "{keyed} entries found by lookups, {tested} tested");
        for (n, event) in events().iter().enumerate() {
            let tested: Vec<&Counted> = entries.all.iter().filter(|entry| entry.holds(event)).collect();
            let found = entries.matching(event);
            let owners = |entries: &[&Counted]| entries.iter().map(|e| e.owner).collect::<Vec<_>>();
            assert_eq!(owners(&found), owners(&tested), "event {n}");
        }
    }

    /// An event's own values, and a panic for any session attribute.
    struct WithoutSession<'e>(&'e Event);

    impl Facts for WithoutSession<'_> {
        fn event_attribute(&self, index: usize, name: &str) -> Option<Scalar<'_>> {
            self.0.event_attribute(index, name)
        }

        fn attribute(&self, name: &str) -> Option<Scalar<'_>> {
            self.0.attribute(name)
        }

        fn session_attribute(&self, _slot: usize, _name: &str) -> Option<Scalar<'static>> {
            panic!("the event's half of matching read a session attribute")
        }
    }

    #[test]
    fn the_events_half_reads_no_session_and_both_halves_find_what_the_tests_find() {
        let entries = Entries::new(entries());
        let lookups = entries.lookups();
        let reading_session = lookups.reads_session.iter().filter(|reads| **reads).count();
        assert!(!lookups.session_attributes.is_empty(), "some entries are found by a session attribute");
        assert!(reading_session > 100, "{reading_session} entries test a session attribute");
        for (n, event) in events().iter().enumerate() {
            let event_side = entries.event_side(&WithoutSession(event));
            let found = entries.finish(&event_side, event);
            let tested: Vec<&Counted> = entries.all.iter().filter(|entry| entry.holds(event)).collect();
            let owners = |entries: &[&Counted]| entries.iter().map(|e| (e.owner, e.pattern)).collect::<Vec<_>>();
            assert_eq!(owners(&found), owners(&tested), "event {n}");
        }
    }

    #[test]
    fn negative_operators_orderings_and_empty_values_run_as_tests() {
        let negative = |operator| Test {
            subject: Subject::Event { index: 0, name: "url".into() },
            operator,
            values: Values::Text { values: ["x".to_string()].into(), ignore_case: false },
        };
        for operator in [Operator::NotEqual, Operator::NotContainsAll, Operator::NotContainsAny] {
            assert!(!keyable(&negative(operator)), "{operator:?}");
        }
        let empty = Test {
            values: Values::Text { values: ["".to_string()].into(), ignore_case: false },
            ..negative(Operator::ContainsAny)
        };
        assert!(!keyable(&empty), "every text contains the empty value");
        let ordered = Test {
            subject: Subject::Event { index: 1, name: "amount".into() },
            operator: Operator::GreaterThan,
            values: Values::Number([1.0].into()),
        };
        assert!(!keyable(&ordered));
        assert_eq!(
            choose_key(&[negative(Operator::NotEqual), negative(Operator::ContainsAny), negative(Operator::Equal)]),
            Some(2)
        );
    }

    #[test]
    fn an_absent_attribute_finds_nothing_but_negative_tests_hold() {
        let test = |operator| Test {
            subject: Subject::Extra("missing".into()),
            operator,
            values: Values::Text { values: ["a".to_string()].into(), ignore_case: true },
        };
        let all = [Operator::Equal, Operator::NotEqual, Operator::ContainsAny, Operator::NotContainsAny]
            .into_iter()
            .enumerate()
            .map(|(i, operator)| Counted {
                owner: Owner::Outcome(i),
                pattern: 0,
                tests: [test(operator)].into(),
                key: None,
            })
            .collect();
        let entries = Entries::new(all);
        let owners: Vec<Owner> = entries.matching(&Event::default()).iter().map(|e| e.owner).collect();
        assert_eq!(owners, [Owner::Outcome(1), Owner::Outcome(3)]);
    }
}
