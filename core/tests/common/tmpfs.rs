//! A tmpfs of a chosen size, for the tests of a full disk (`full_disk.rs`,
//! `erasure_full_disk.rs`). Mounting needs root; without it the tests say so and skip.

use std::path::PathBuf;
use std::process::Command;

/// A tmpfs mounted on a new directory; unmounted when dropped.
pub struct Tmpfs(super::TempDir);

impl Tmpfs {
    /// A tmpfs of `size` (`mount`'s form: `64k`, `1m`) on a new directory named for `purpose`;
    /// `None` (with a message) when this process may not mount.
    pub fn mount(size: &str, purpose: &str) -> Option<Tmpfs> {
        let dir = super::temp_dir(purpose);
        let options = format!("size={size}");
        let mounted = Command::new("mount").args(["-t", "tmpfs", "-o", &options, "tmpfs"]).arg(&*dir).output();
        match mounted {
            Ok(output) if output.status.success() => Some(Tmpfs(dir)),
            Ok(output) => {
                eprintln!("skipped: cannot mount a tmpfs ({})", String::from_utf8_lossy(&output.stderr).trim());
                None
            }
            Err(e) => {
                eprintln!("skipped: cannot run mount ({e})");
                None
            }
        }
    }

    /// Makes room: the same tmpfs, larger.
    pub fn grow(&self, size: &str) {
        let options = format!("remount,size={size}");
        let status = Command::new("mount").args(["-o", &options]).arg(&*self.0).status().unwrap();
        assert!(status.success(), "remount");
    }

    /// The store's directory on it.
    pub fn store(&self) -> PathBuf {
        self.0.join("store")
    }

    /// The mount point.
    pub fn root(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("--lazy").arg(&*self.0).status();
    }
}
