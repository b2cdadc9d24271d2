//! A borrowed JSON tree for the ingest hot path, and the canonical form used for event ids.
//!
//! `serde_json::Value` allocates a `String` per key and per string and a `BTreeMap` per object. Events
//! are small objects read once, so [`Json`] borrows strings from the input (when they hold no escapes)
//! and keeps object entries in a `Vec`. That roughly halves the cost of reading an event.
//!
//! Objects with a repeated key are refused: JSON leaves their meaning open, and two readers of the
//! same bytes could otherwise disagree about what was accepted.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Number;
use std::borrow::Cow;
use std::fmt;
use std::io::Write;

/// A JSON value whose strings may borrow from the bytes it was read from.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as serde_json reads it (integers stay exact up to 64 bits).
    Number(Number),
    /// A string.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Json<'a>>),
    /// An object, entries in input order, keys unique.
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

/// Reads JSON text into a `serde_json::Value`, refusing an object that repeats a key. serde_json
/// keeps the last of repeated keys, so `{"actionState": "errored", "actionState": "offered"}`
/// recorded `offered`; every input text (events, config, catalog, queries, action events) is read
/// with the same rule and the same error.
pub fn parse_value(text: &[u8]) -> Result<serde_json::Value, serde_json::Error> {
    Json::parse(text).map(|json| json.to_value())
}

impl<'a> Json<'a> {
    /// Reads one JSON value from `bytes` (trailing whitespace allowed, nothing else).
    pub fn parse(bytes: &'a [u8]) -> Result<Json<'a>, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// Borrows a `serde_json::Value` as a `Json` without copying its strings.
    pub fn from_value(value: &'a serde_json::Value) -> Json<'a> {
        use serde_json::Value;
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => Json::Number(n.clone()),
            Value::String(s) => Json::String(Cow::Borrowed(s)),
            Value::Array(items) => Json::Array(items.iter().map(Json::from_value).collect()),
            Value::Object(map) => {
                Json::Object(map.iter().map(|(k, v)| (Cow::Borrowed(k.as_str()), Json::from_value(v))).collect())
            }
        }
    }

    /// The value under `key`, when this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// A short name of the JSON type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }

    /// Copies into an owned `serde_json::Value`.
    pub fn to_value(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Number(n.clone()),
            Json::String(s) => Value::String(s.to_string()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(entries) => {
                Value::Object(entries.iter().map(|(k, v)| (k.to_string(), v.to_value())).collect())
            }
        }
    }

    /// Writes the canonical form: no whitespace, object keys sorted by their UTF-8 bytes, strings and
    /// numbers as serde_json writes them. Two events with the same content have the same canonical
    /// form. `out` is a buffer, or a hasher that digests the form without storing it.
    pub fn write_canonical<W: Write>(&self, out: &mut W) {
        match self {
            Json::Null => put(out, b"null"),
            Json::Bool(b) => put(out, if *b { b"true" } else { b"false" }),
            // serde_json writes numbers with itoa/ryu, without the String that Display would build.
            Json::Number(n) => {
                let _ = serde_json::to_writer(&mut *out, n);
            }
            Json::String(s) => write_string(s, out),
            Json::Array(items) => {
                put(out, b"[");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        put(out, b",");
                    }
                    item.write_canonical(out);
                }
                put(out, b"]");
            }
            Json::Object(entries) => {
                put(out, b"{");
                let mut first = true;
                for_each_sorted(entries, |key, value| {
                    if !std::mem::take(&mut first) {
                        put(out, b",");
                    }
                    write_string(key, out);
                    put(out, b":");
                    value.write_canonical(out);
                });
                put(out, b"}");
            }
        }
    }
}

/// Visits object entries in key order (by UTF-8 bytes). Objects of up to 32 entries, which is
/// nearly all of them, are sorted on the stack: this runs for every object of every event.
pub(crate) fn for_each_sorted<'e, 'a>(
    entries: &'e [(Cow<'a, str>, Json<'a>)],
    mut visit: impl FnMut(&'e str, &'e Json<'a>),
) {
    const INLINE: usize = 32;
    let key = |i: usize| entries[i].0.as_bytes();
    if entries.len() <= INLINE {
        let mut order = [0u8; INLINE];
        let order = &mut order[..entries.len()];
        for (i, slot) in order.iter_mut().enumerate() {
            *slot = i as u8;
        }
        order.sort_unstable_by(|a, b| key(*a as usize).cmp(key(*b as usize)));
        order.iter().for_each(|&i| visit(&entries[i as usize].0, &entries[i as usize].1));
    } else {
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_unstable_by(|a, b| key(*a).cmp(key(*b)));
        order.into_iter().for_each(|i| visit(&entries[i].0, &entries[i].1));
    }
}

/// Writes `{"key":value,...}` with the values in canonical form, keys in the given order.
pub(crate) fn write_object<'x, 'a: 'x>(entries: impl IntoIterator<Item = (&'x str, &'x Json<'a>)>, out: &mut Vec<u8>) {
    out.push(b'{');
    for (i, (key, value)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_string(key, out);
        out.push(b':');
        value.write_canonical(out);
    }
    out.push(b'}');
}

fn write_string<W: Write>(s: &str, out: &mut W) {
    // The canonical writers (a Vec, a hasher) never fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

fn put<W: Write>(out: &mut W, bytes: &[u8]) {
    // The canonical writers (a Vec, a hasher) never fail.
    let _ = out.write_all(bytes);
}

impl<'de: 'a, 'a> Deserialize<'de> for Json<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor(std::marker::PhantomData))
    }
}

struct JsonVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for JsonVisitor<'a> {
    type Value = Json<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Json<'a>, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json<'a>, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json<'a>, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json<'a>, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json<'a>, E> {
        Number::from_f64(v).map(Json::Number).ok_or_else(|| E::custom("non-finite number"))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Json<'a>, E> {
        Ok(Json::String(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json<'a>, E> {
        Ok(Json::String(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Json<'a>, E> {
        Ok(Json::String(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'a>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'a>, A::Error> {
        // Envelope objects hold 2 to 8 entries; 4 avoids both a regrow for most and a large
        // allocation for the small `customer` and `session` objects.
        let mut entries: Vec<(Cow<'a, str>, Json<'a>)> = Vec::with_capacity(4);
        while let Some(Key(key)) = map.next_key()? {
            let value = map.next_value()?;
            entries.push((key, value));
        }
        if let Some(key) = repeated_key(&entries) {
            return Err(de::Error::custom(format!(
                "key '{}' appears twice in one object",
                crate::base::text::clip(key)
            )));
        }
        Ok(Json::Object(entries))
    }
}

/// The first key that appears twice, if any. Quadratic for small objects, where it is fastest.
fn repeated_key<'e>(entries: &'e [(Cow<'_, str>, Json<'_>)]) -> Option<&'e str> {
    if entries.len() <= 16 {
        let keys = || entries.iter().map(|(k, _)| k.as_ref());
        return keys().enumerate().find(|(i, k)| keys().skip(i + 1).any(|other| other == *k)).map(|(_, k)| k);
    }
    let mut keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_ref()).collect();
    keys.sort_unstable();
    keys.windows(2).find(|pair| pair[0] == pair[1]).map(|pair| pair[0])
}

/// An object key that borrows from the input when it can.
struct Key<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Key<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for KeyVisitor<'a> {
            type Value = Key<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'a>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'a>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'a>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(text: &str) -> String {
        let mut out = Vec::new();
        Json::parse(text.as_bytes()).unwrap().write_canonical(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn canonical_form_sorts_keys_and_drops_whitespace() {
        assert_eq!(
            canonical(r#" { "b" : [1, 2.5, "x\n"], "a": {"d": null, "c": true} } "#),
            r#"{"a":{"c":true,"d":null},"b":[1,2.5,"x\n"]}"#
        );
    }

    #[test]
    fn strings_borrow_when_unescaped() {
        let json = Json::parse(br#"{"plain":"abc","escaped":"a\"b"}"#).unwrap();
        assert!(matches!(json.get("plain"), Some(Json::String(Cow::Borrowed("abc")))));
        assert!(matches!(json.get("escaped"), Some(Json::String(Cow::Owned(s))) if s == "a\"b"));
    }

    #[test]
    fn refuses_repeated_keys_and_trailing_garbage() {
        assert!(Json::parse(br#"{"a":1,"a":2}"#).is_err());
        let many: Vec<String> = (0..40).map(|i| format!(r#""k{}":1"#, i % 39)).collect();
        assert!(Json::parse(format!("{{{}}}", many.join(",")).as_bytes()).is_err());
        assert!(Json::parse(b"{} x").is_err());
    }

    #[test]
    fn large_objects_sort_like_small_ones() {
        let entries: Vec<String> = (0..40).rev().map(|i| format!(r#""k{i:02}":{i}"#)).collect();
        let text = format!("{{{}}}", entries.join(","));
        let expected: Vec<String> = (0..40).map(|i| format!(r#""k{i:02}":{i}"#)).collect();
        assert_eq!(canonical(&text), format!("{{{}}}", expected.join(",")));
    }

    #[test]
    fn from_value_matches_parse() {
        let text = r#"{"a":[1,-2,3.5,true,null],"b":{"c":"d"}}"#;
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(Json::from_value(&value), Json::parse(text.as_bytes()).unwrap());
        assert_eq!(Json::parse(text.as_bytes()).unwrap().to_value(), value);
    }
}
