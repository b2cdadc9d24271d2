//! Core errors as JS `Error`s with `.code` (the core's code) and `.violations` where there are some.

use journey_core::JourneyError;
use napi::bindgen_prelude::*;

/// Builds the JS error for a core error and returns it as a napi error that throws exactly it.
pub fn js_error(env: &Env, error: JourneyError) -> Error {
    let message = error.to_string();
    // SAFETY: `env` is the live environment of the current call.
    unsafe {
        let raw = JsError::from(Error::new(error.code(), message)).into_value(env.raw());
        let mut object = Object::from_raw(env.raw(), raw);
        let json = error.to_json();
        let _ = object.set("violations", json.get("violations").cloned().unwrap_or(serde_json::json!([])));
        for extra in ["key", "file", "offset"] {
            if let Some(value) = json.get(extra) {
                let _ = object.set(extra, value.clone());
            }
        }
        Error::from(Unknown::from_raw_unchecked(env.raw(), raw))
    }
}

/// A `TypeError` with `message`, thrown as is.
pub fn type_error(env: &Env, message: &str) -> Error {
    // SAFETY: `env` is the live environment of the current call.
    unsafe {
        let raw = JsTypeError::from(Error::new("ERR_INVALID_ARG_TYPE", message.to_owned())).into_value(env.raw());
        Error::from(Unknown::from_raw_unchecked(env.raw(), raw))
    }
}

/// `.js(env)?` turns a core result into a napi one at each call site.
pub trait JsResult<T> {
    /// The core error as a JS error with `.code`.
    fn js(self, env: &Env) -> Result<T>;
}

impl<T> JsResult<T> for std::result::Result<T, JourneyError> {
    fn js(self, env: &Env) -> Result<T> {
        self.map_err(|error| js_error(env, error))
    }
}
