//! `journey_call`: any operation by its JSON command form, through the core's one dispatcher.

use crate::error::guard;
use crate::handles::{JourneyEngine, live_engine};
use crate::status::JourneyStatus;
use crate::strings::{give_json, out_string, text};
use std::ffi::c_char;

/// Runs one command, `{"op": "...", "input": ...}`, in the form of a shared test vector step
/// (SPEC §10), for example `{"op":"startAgentSession","input":{"agentId":"a1"}}`.
///
/// `*result` receives the op's result as JSON; free it with `journey_string_free`. A rejected
/// event is a result (`{"status":"rejected",…}`), not a failure. The typed functions (such as
/// `journey_ingest_json`) do the same work with less parsing; this one serves generic callers
/// such as scripting bridges and test runners. A subscription made here has no callback: it
/// records what it receives under its `label`, read back with the `deliveries` op.
///
/// Some ops have no typed function and are reached only here: `moveOut` and `moveIn` (state moves
/// between partitions), `deliveries`, and the orchestration definitions (docs/orchestration.md):
/// `putSegment`, `putOutcome` and `putActionMap` take the definition's JSON and give it back as
/// stored, `{"op":"putSegment","input":{"displayName":"Delayed","journey":{"patterns":[…]}}}`;
/// `deleteSegment`, `deleteOutcome` and `deleteActionMap` take `{"id"}` and give `{}`;
/// `listSegments`, `listOutcomes` and `listActionMaps` give `{"entities":[…]}` in id order.
///
/// @param engine A live engine.
/// @param command_json A NUL-terminated UTF-8 JSON command.
/// @param result Receives the result JSON.
/// @return `JOURNEY_OK`, `JOURNEY_INVALID_JSON` (the text is not JSON), `JOURNEY_INVALID_ARGUMENT`
///         (an unknown op, or an input of the wrong form), any status of the op itself,
///         `JOURNEY_NULL_ARGUMENT`, `JOURNEY_INVALID_UTF8`.
///
/// Thread-safe. A `nextEvents` command with a timeout blocks the calling thread, like
/// `journey_next_events`.
///
/// # Safety
/// `engine` is a live engine; `command_json` is a NUL-terminated string; `result` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_call(
    engine: *const JourneyEngine,
    command_json: *const c_char,
    result: *mut *mut c_char,
) -> JourneyStatus {
    guard(|| unsafe {
        let slot = out_string(result, "result")?;
        let engine = live_engine(engine)?;
        give_json(slot, &engine.call_json(text(command_json, "command_json")?)?);
        Ok(())
    })
}
