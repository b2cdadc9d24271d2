//! Text for messages: a caller's input quoted in an error is cut short, so a huge input never
//! makes a huge error. Every message that repeats what a caller sent goes through [`clip`].

use std::fmt;

/// A parser's error as a message, cut to 300 characters: serde's messages quote the offending
/// value (`invalid type: string "…"`), which may be as long as the input.
pub(crate) fn bounded(error: impl fmt::Display) -> String {
    cut(&error.to_string(), 300)
}

/// A piece of input for a message, cut to 80 characters (and `…`), so that a huge input never
/// makes a huge error: every message that repeats what a caller sent goes through it.
pub(crate) fn clip(text: &str) -> String {
    cut(text, 80)
}

/// A JSON value the caller sent, as text cut like [`clip`], for a message that says what was wrong.
pub(crate) fn clip_json(value: &serde_json::Value) -> String {
    clip(&value.to_string())
}

/// `text` cut to `max` characters, with `…` when something was cut.
pub(crate) fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}
