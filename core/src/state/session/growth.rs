//! Room for one more element in the many small vectors the store keeps per session and per
//! customer (a session's events, a customer's sessions, a log's chunks).
//!
//! `Vec` doubles from 4: a session of 5 events held 8 slots of 48 bytes, a customer of 2 sessions
//! 4 slots of about 200 bytes, and the benchmark's engine kept about 80 bytes per event in empty
//! slots. Growing by half from 1 wastes a third at most (usually less), and the extra reallocations
//! copy little: each happens only when a vector is full, and they stop mattering past a few dozen
//! elements, where plain doubling takes over.

/// Past this length, a vector grows as `Vec` does (doubling).
const GENTLE_UP_TO: usize = 64;

/// Makes room for one more element in `vec`, growing by half (at least one) while it is short.
pub(crate) fn reserve_one<T>(vec: &mut Vec<T>) {
    if vec.len() < vec.capacity() {
        return;
    }
    match vec.len() {
        len if len < GENTLE_UP_TO => vec.reserve_exact((len / 2).max(1)),
        _ => vec.reserve(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_by_half_while_short_then_doubles() {
        let mut vec: Vec<u64> = Vec::new();
        let mut capacities = Vec::new();
        for i in 0..100 {
            reserve_one(&mut vec);
            vec.push(i);
            if capacities.last() != Some(&vec.capacity()) {
                capacities.push(vec.capacity());
            }
        }
        assert_eq!(&capacities[..8], &[1, 2, 3, 4, 6, 9, 13, 19]);
        assert!(capacities.iter().all(|&c| c >= 1) && vec.len() == 100);
        assert!(*capacities.last().unwrap() >= 100);
    }
}
