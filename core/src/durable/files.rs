//! The files of a store directory: their names, the lock, the owner epoch, and directory fsync.

use crate::base::error::{JourneyError, Result};
use std::fs::File;
use std::path::{Path, PathBuf};

/// The lock file: held (flock) by the engine that has the store open.
const LOCK_FILE: &str = "LOCK";

/// The name of the marker of an owner epoch that opened the store, before its number
/// (docs/durability.md, "Fencing a stale owner").
const EPOCH_PREFIX: &str = "EPOCH-";

/// Where a snapshot or journal falls in a store's history: the epoch of the owner that wrote it,
/// then its record number. Ordered by both, in that order: a newer owner's files come after an
/// older owner's whatever their numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct At {
    /// The owner's `store.epoch`; 0 for a store without epochs.
    pub epoch: u64,
    /// The record number the file starts after.
    pub seq: u64,
}

/// `DIR/<prefix>-<seq>.<ext>` for epoch 0 (the names stores had before epochs), else
/// `DIR/<prefix>-<epoch>-<seq>.<ext>`; numbers have 20 digits, so names sort by number.
pub(crate) fn numbered(dir: &Path, prefix: &str, at: At, ext: &str) -> PathBuf {
    match at.epoch {
        0 => dir.join(format!("{prefix}-{:020}.{ext}", at.seq)),
        epoch => dir.join(format!("{prefix}-{epoch:020}-{:020}.{ext}", at.seq)),
    }
}

/// The positions of the files named as [`numbered`] makes them in `dir`, ascending.
pub(crate) fn list(dir: &Path, prefix: &str, ext: &str) -> Result<Vec<At>> {
    let entries = std::fs::read_dir(dir).map_err(|e| JourneyError::io("listing", dir, e))?;
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| JourneyError::io("listing", dir, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let numbers = name
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('-'))
            .and_then(|rest| rest.strip_suffix(ext))
            .and_then(|rest| rest.strip_suffix('.'));
        found.extend(numbers.and_then(position));
    }
    found.sort_unstable();
    Ok(found)
}

/// `<seq>` or `<epoch>-<seq>`, each of 20 digits.
fn position(numbers: &str) -> Option<At> {
    let number = |digits: &str| Some(digits).filter(|d| d.len() == 20).and_then(|d| d.parse::<u64>().ok());
    match numbers.split_once('-') {
        None => Some(At { epoch: 0, seq: number(numbers)? }),
        Some((epoch, seq)) => Some(At { epoch: number(epoch)?, seq: number(seq)? }).filter(|at| at.epoch > 0),
    }
}

/// The store's epoch: the highest of its `DIR/EPOCH-<epoch>` markers; 0 when there is none.
pub(crate) fn read_epoch(dir: &Path) -> Result<u64> {
    let entries = std::fs::read_dir(dir).map_err(|e| JourneyError::io("listing", dir, e))?;
    let mut highest = 0;
    for entry in entries {
        let entry = entry.map_err(|e| JourneyError::io("listing", dir, e))?;
        let name = entry.file_name();
        let epoch = name.to_str().and_then(|name| name.strip_prefix(EPOCH_PREFIX)).and_then(|n| n.parse::<u64>().ok());
        highest = highest.max(epoch.unwrap_or(0));
    }
    Ok(highest)
}

/// Raises the store's epoch to `epoch` (at least): creates its marker `DIR/EPOCH-<epoch>` and
/// makes it durable, then deletes the markers below it. Creating a file never lowers the
/// highest, so two claimants at once (a member the group replaced, slower, and its successor)
/// leave the successor's epoch whatever their order; the loser learns it at its next check.
pub(crate) fn raise_epoch(dir: &Path, epoch: u64) -> Result<()> {
    let path = dir.join(format!("{EPOCH_PREFIX}{epoch:020}"));
    File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .and_then(|file| file.sync_all())
        .map_err(|e| JourneyError::io("creating", &path, e))?;
    sync_dir(dir)?;
    let entries = std::fs::read_dir(dir).map_err(|e| JourneyError::io("listing", dir, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let lower = name.to_str().and_then(|name| name.strip_prefix(EPOCH_PREFIX)).and_then(|n| n.parse::<u64>().ok());
        if lower.is_some_and(|lower| lower < epoch) {
            // Tidying only: a marker left behind changes nothing, the highest one counts.
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(())
}

/// `STORE_LOCKED` when a newer owner than `epoch` has opened the store in `dir`.
pub(crate) fn check_fence(dir: &Path, epoch: u64) -> Result<()> {
    let newest = read_epoch(dir)?;
    if newest > epoch {
        return Err(fenced(dir, newest, epoch));
    }
    Ok(())
}

/// The error of an owner whose epoch is below the store's.
pub(crate) fn fenced(dir: &Path, newest: u64, epoch: u64) -> JourneyError {
    JourneyError::StoreLocked(format!(
        "fenced: {} was opened by owner epoch {newest}, after this engine's epoch {epoch}; \
         a stale owner must stop (docs/durability.md, \"Fencing a stale owner\")",
        dir.display()
    ))
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
    fn numbered_files_list_by_epoch_then_number() {
        let dir = crate::durable::test_dir();
        let at = |epoch, seq| At { epoch, seq };
        for position in [at(0, 10), at(0, 2), at(2, 1), at(1, 300), at(0, 300)] {
            std::fs::write(numbered(dir.path(), "snapshot", position, "snap"), b"").unwrap();
        }
        for junk in
            ["snapshot-junk.snap", "snapshot-1-2.snap", "snapshot-00000000000000000000-00000000000000000001.snap"]
        {
            std::fs::write(dir.path().join(junk), b"").unwrap();
        }
        let expected = vec![at(0, 2), at(0, 10), at(0, 300), at(1, 300), at(2, 1)];
        assert_eq!(list(dir.path(), "snapshot", "snap").unwrap(), expected);
        assert!(numbered(dir.path(), "journal", at(0, 7), "log").ends_with("journal-00000000000000000007.log"));
    }

    #[test]
    fn an_epoch_is_read_back_and_fences_the_ones_below_it() {
        let dir = crate::durable::test_dir();
        assert_eq!(read_epoch(dir.path()).unwrap(), 0);
        check_fence(dir.path(), 0).unwrap();
        raise_epoch(dir.path(), 7).unwrap();
        assert_eq!(read_epoch(dir.path()).unwrap(), 7);
        check_fence(dir.path(), 7).unwrap();
        check_fence(dir.path(), 8).unwrap();
        let error = check_fence(dir.path(), 6).unwrap_err();
        assert_eq!(error.code(), "STORE_LOCKED");
        assert!(error.to_string().contains("fenced"), "{error}");
        // A slower claimant of a lower epoch, after: the highest stays.
        raise_epoch(dir.path(), 9).unwrap();
        raise_epoch(dir.path(), 8).unwrap();
        assert_eq!(read_epoch(dir.path()).unwrap(), 9);
        assert_eq!(check_fence(dir.path(), 8).unwrap_err().code(), "STORE_LOCKED");
    }
}
