//! The files of a store directory: their names, the lock, and directory fsync.

use crate::base::error::{JourneyError, Result};
use std::fs::File;
use std::path::{Path, PathBuf};

/// The lock file: held (flock) by the engine that has the store open.
const LOCK_FILE: &str = "LOCK";

/// `DIR/<prefix>-<seq, 20 digits>.<ext>`: names sort by number.
pub(crate) fn numbered(dir: &Path, prefix: &str, seq: u64, ext: &str) -> PathBuf {
    dir.join(format!("{prefix}-{seq:020}.{ext}"))
}

/// The sequence numbers of the files named `<prefix>-<seq>.<ext>` in `dir`, ascending.
pub(crate) fn list(dir: &Path, prefix: &str, ext: &str) -> Result<Vec<u64>> {
    let entries = std::fs::read_dir(dir).map_err(|e| JourneyError::io("listing", dir, e))?;
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| JourneyError::io("listing", dir, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let seq = name
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('-'))
            .and_then(|rest| rest.strip_suffix(ext))
            .and_then(|rest| rest.strip_suffix('.'))
            .filter(|digits| digits.len() == 20)
            .and_then(|digits| digits.parse::<u64>().ok());
        found.extend(seq);
    }
    found.sort_unstable();
    Ok(found)
}

/// Removes the leftovers of a crash: snapshots that were being written (`snapshot-*.tmp`).
pub(crate) fn remove_temporary(dir: &Path) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| JourneyError::io("listing", dir, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snapshot-") && name.ends_with(".tmp") {
            std::fs::remove_file(entry.path()).map_err(|e| JourneyError::io("removing", &entry.path(), e))?;
        }
    }
    Ok(())
}

/// Makes a rename or a new file in `dir` durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| JourneyError::io("syncing directory", dir, e))
}

/// Creates `dir` if needed and locks it for this engine: `STORE_LOCKED` when another engine, in
/// this process or another, holds it. The lock ends when the returned file is dropped.
pub(crate) fn lock(dir: &Path) -> Result<File> {
    std::fs::create_dir_all(dir).map_err(|e| JourneyError::io("creating store directory", dir, e))?;
    let path = dir.join(LOCK_FILE);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| JourneyError::io("opening", &path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            Err(JourneyError::StoreLocked(format!("{} is open in another engine", dir.display())))
        }
        Err(std::fs::TryLockError::Error(e)) => Err(JourneyError::io("locking", &path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_until_the_first_is_dropped() {
        let dir = crate::durable::test_dir();
        let first = lock(dir.path()).unwrap();
        assert_eq!(lock(dir.path()).unwrap_err().code(), "STORE_LOCKED");
        drop(first);
        lock(dir.path()).unwrap();
    }

    #[test]
    fn numbered_files_list_in_order() {
        let dir = crate::durable::test_dir();
        for seq in [10, 2, 300] {
            std::fs::write(numbered(dir.path(), "snapshot", seq, "snap"), b"").unwrap();
        }
        std::fs::write(dir.path().join("snapshot-junk.snap"), b"").unwrap();
        assert_eq!(list(dir.path(), "snapshot", "snap").unwrap(), vec![2, 10, 300]);
    }
}
