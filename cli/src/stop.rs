//! Ctrl-C: the first one stops a command cleanly between two events; a second one ends the
//! process at once (a durable store loses nothing acknowledged either way, SPEC §11).

use std::sync::atomic::{AtomicBool, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);

/// Installs the Ctrl-C handler. Without one (another handler was installed first), Ctrl-C ends
/// the process as it would anyway.
pub fn on_ctrl_c() {
    let _ = ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
}

/// True once Ctrl-C was pressed.
pub fn requested() -> bool {
    STOP.load(Ordering::SeqCst)
}
