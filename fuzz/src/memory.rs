//! Heap use per input: a counting allocator over the system's, so that targets can assert that
//! what one input costs is bounded by its size (libFuzzer's `rss_limit_mb` only catches the
//! process as a whole, long after the input that grew it).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The system allocator, counting the bytes in use and the peak since [`peak_during`] began.
pub struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged; the counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            grew(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        moved
    }
}

fn grew(size: usize) {
    let now = IN_USE.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

/// Runs `work` and returns its result with the most heap it held at once above what was in use
/// when it began. Fuzz targets run one input at a time, so nothing else allocates meanwhile.
pub fn peak_during<R>(work: impl FnOnce() -> R) -> (R, usize) {
    let start = IN_USE.load(Ordering::Relaxed);
    PEAK.store(start, Ordering::Relaxed);
    let result = work();
    (result, PEAK.load(Ordering::Relaxed).saturating_sub(start))
}

/// The heap one input of `input_bytes` may hold at once: a fixed allowance for the engine's
/// working buffers, and a multiple of the input for its parsed form and the stored events.
pub fn heap_allowance(input_bytes: usize) -> usize {
    2 * 1024 * 1024 + 48 * input_bytes
}

#[cfg(test)]
mod tests {
    use super::peak_during;

    #[test]
    fn the_peak_counts_what_was_held_at_once_not_what_remains() {
        let (kept, peak) = peak_during(|| {
            let scratch = vec![1u8; 1 << 20];
            drop(scratch);
            vec![2u8; 1 << 10]
        });
        assert!(peak >= 1 << 20, "a 1 MiB buffer was held: peak {peak}");
        assert!(peak < (1 << 20) + (1 << 16), "peak {peak}");
        assert_eq!(kept.len(), 1 << 10);
    }
}
