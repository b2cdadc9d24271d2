//! Strings across the boundary: borrowed C strings in, owned JSON strings out.
//!
//! The rule (as in getsentry/relay): a string you get through an out-parameter is yours and you
//! free it with `journey_string_free`; a string a function *returns* as `const char *` belongs to
//! libjourney.

use crate::error::Failure;
use std::ffi::{CStr, CString, c_char};

/// Reads a required NUL-terminated UTF-8 argument.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that lives for `'a`.
pub(crate) unsafe fn text<'a>(ptr: *const c_char, name: &'static str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::Null(name));
    }
    // SAFETY: non-NULL, and the caller promises a NUL-terminated string.
    unsafe { CStr::from_ptr(ptr) }.to_str().map_err(|_| Failure::Utf8(name))
}

/// Reads an optional NUL-terminated UTF-8 argument (NULL is `None`).
///
/// # Safety
/// As for [`text`].
pub(crate) unsafe fn optional_text<'a>(ptr: *const c_char, name: &'static str) -> Result<Option<&'a str>, Failure> {
    if ptr.is_null() { Ok(None) } else { unsafe { text(ptr, name) }.map(Some) }
}

/// Reads `len` bytes. NULL is allowed only with `len == 0`.
///
/// # Safety
/// `ptr` is NULL or points to `len` readable bytes that live for `'a`.
pub(crate) unsafe fn bytes<'a>(ptr: *const c_char, len: usize, name: &'static str) -> Result<&'a [u8], Failure> {
    match (ptr.is_null(), len) {
        (true, 0) => Ok(&[]),
        (true, _) => Err(Failure::Null(name)),
        // SAFETY: the caller promises `len` readable bytes.
        (false, _) => Ok(unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) }),
    }
}

/// Checks an out-parameter and sets it to NULL, so that it is NULL whenever the call fails.
///
/// # Safety
/// `out` is NULL or points to writable storage for a pointer.
pub(crate) unsafe fn out_string<'a>(out: *mut *mut c_char, name: &'static str) -> Result<&'a mut *mut c_char, Failure> {
    // SAFETY: the caller promises `out` is NULL or writable.
    let slot = unsafe { out.as_mut() }.ok_or(Failure::Null(name))?;
    *slot = std::ptr::null_mut();
    Ok(slot)
}

/// Stores `value` as a newly allocated JSON string in `slot`.
pub(crate) fn give_json(slot: &mut *mut c_char, value: &impl serde::Serialize) {
    give_json_text(slot, serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned()));
}

/// Stores JSON text in `slot` as a newly allocated C string.
pub(crate) fn give_json_text(slot: &mut *mut c_char, mut json: String) {
    debug_assert!(!json.contains('\0'), "JSON escapes NUL inside strings");
    json.push('\0');
    // SAFETY: JSON text has no interior NUL (strings escape it as \u0000), and it now ends with one.
    // Skipping CString::new saves a scan and a reallocation on every ingest.
    *slot = unsafe { CString::from_vec_with_nul_unchecked(json.into_bytes()) }.into_raw();
}

/// Frees a string that libjourney gave you through an out-parameter. NULL is a no-op.
///
/// @param s A string from a libjourney out-parameter, or NULL.
///
/// # Safety
/// `s` is NULL or a string from a libjourney out-parameter that has not been freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_string_free(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: it came from `CString::into_raw` in `give_json` and is freed once.
        drop(unsafe { CString::from_raw(s) });
    }
}
