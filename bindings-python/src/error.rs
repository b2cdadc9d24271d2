//! The exception hierarchy: `libjourney.JourneyError` with `.code` (the core's code), and one subclass
//! per family. Core errors map here in one line per call site, through [`IntoPy`].

use journey_core::JourneyError as CoreError;
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(libjourney, JourneyError, PyException, "Base of every libjourney error; `.code` is the stable code.");
create_exception!(
    libjourney,
    CatalogError,
    JourneyError,
    "INVALID_CATALOG or LIMIT_EXCEEDED; `.violations` lists every fault."
);
create_exception!(libjourney, ConfigError, JourneyError, "INVALID_CONFIG; `.key` names the bad key.");
create_exception!(
    libjourney,
    ValidationError,
    JourneyError,
    "An input was refused (INVALID_JSON, or an event); `.violations` says why."
);
create_exception!(libjourney, PermissionDeniedError, JourneyError, "PERMISSION_DENIED: the viewer lacks a permission.");
create_exception!(
    libjourney,
    NotFoundError,
    JourneyError,
    "NOT_FOUND: no such session, or one the viewer may not see."
);
create_exception!(
    libjourney,
    InvalidArgumentError,
    JourneyError,
    "INVALID_ARGUMENT: an argument is malformed or out of range."
);
create_exception!(libjourney, InvalidSessionError, JourneyError, "INVALID_SESSION: no such agent session.");
create_exception!(
    libjourney,
    QueueFullError,
    JourneyError,
    "QUEUE_FULL: the agent has maxPendingPerAgent undelivered events, or maxPersistedTotal events wait for agents who are not logged in."
);
create_exception!(
    libjourney,
    InvalidTransitionError,
    JourneyError,
    "INVALID_TRANSITION: a web action cannot move between those states."
);
create_exception!(
    libjourney,
    UnknownActionError,
    JourneyError,
    "UNKNOWN_ACTION: a web action's first state is neither qualified nor offered."
);
create_exception!(
    libjourney,
    StoreIOError,
    JourneyError,
    "IO_ERROR: the store's file system refused a read, write or fsync; reopen the store."
);
create_exception!(
    libjourney,
    CorruptStoreError,
    JourneyError,
    "CORRUPT_STORE: a journal record or snapshot is damaged; `.file` and `.offset` say where."
);
create_exception!(libjourney, StoreLockedError, JourneyError, "STORE_LOCKED: another engine has the store open.");

/// Converts a core error into the matching exception, with `.code`, `.message`, and where they
/// apply `.violations` and `.key`.
pub fn to_py(error: CoreError) -> PyErr {
    let message = error.to_string();
    let exception = match &error {
        CoreError::InvalidCatalog { .. } | CoreError::LimitExceeded { .. } => CatalogError::new_err(message),
        CoreError::InvalidConfig { .. } => ConfigError::new_err(message),
        CoreError::Validation { .. } | CoreError::InvalidJson(_) => ValidationError::new_err(message),
        CoreError::PermissionDenied(_) => PermissionDeniedError::new_err(message),
        CoreError::NotFound(_) => NotFoundError::new_err(message),
        CoreError::InvalidArgument(_) => InvalidArgumentError::new_err(message),
        CoreError::InvalidSession(_) => InvalidSessionError::new_err(message),
        CoreError::QueueFull(_) => QueueFullError::new_err(message),
        CoreError::InvalidTransition { .. } => InvalidTransitionError::new_err(message),
        CoreError::UnknownAction(_) => UnknownActionError::new_err(message),
        CoreError::Io(_) => StoreIOError::new_err(message),
        CoreError::CorruptStore { .. } => CorruptStoreError::new_err(message),
        CoreError::StoreLocked(_) => StoreLockedError::new_err(message),
        // Raised with the signal's own exception where Python caught one (see `interruptible`).
        CoreError::Interrupted(_) => return pyo3::exceptions::PyKeyboardInterrupt::new_err(message),
    };
    Python::attach(|py| {
        let value = exception.value(py);
        // Setting attributes on a fresh exception cannot fail in practice; if it did, the
        // exception would still carry its class and message.
        let _ = value.setattr("code", error.code());
        let violations = serde_json::to_value(error.violations()).unwrap_or_default();
        let _ = crate::convert::to_python(py, &violations).and_then(|v| value.setattr("violations", v));
        if let CoreError::InvalidConfig { key, .. } = &error {
            let _ = value.setattr("key", key.as_str());
        }
        if let CoreError::CorruptStore { file, offset, .. } = &error {
            let _ = value.setattr("file", file.as_str());
            let _ = value.setattr("offset", *offset);
        }
    });
    exception
}

/// `.py()?` turns a core result into a Python one at each call site.
pub trait IntoPy<T> {
    /// The core error as a Python exception.
    fn py(self) -> PyResult<T>;
}

impl<T> IntoPy<T> for Result<T, CoreError> {
    fn py(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}

/// Adds the exception classes to the module.
pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    module.add("JourneyError", py.get_type::<JourneyError>())?;
    module.add("CatalogError", py.get_type::<CatalogError>())?;
    module.add("ConfigError", py.get_type::<ConfigError>())?;
    module.add("ValidationError", py.get_type::<ValidationError>())?;
    module.add("PermissionDeniedError", py.get_type::<PermissionDeniedError>())?;
    module.add("NotFoundError", py.get_type::<NotFoundError>())?;
    module.add("InvalidArgumentError", py.get_type::<InvalidArgumentError>())?;
    module.add("InvalidSessionError", py.get_type::<InvalidSessionError>())?;
    module.add("QueueFullError", py.get_type::<QueueFullError>())?;
    module.add("InvalidTransitionError", py.get_type::<InvalidTransitionError>())?;
    module.add("UnknownActionError", py.get_type::<UnknownActionError>())?;
    module.add("StoreIOError", py.get_type::<StoreIOError>())?;
    module.add("CorruptStoreError", py.get_type::<CorruptStoreError>())?;
    module.add("StoreLockedError", py.get_type::<StoreLockedError>())?;
    Ok(())
}
