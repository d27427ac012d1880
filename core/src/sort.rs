//! Sorting with one machine-code body for the whole program. The standard library's sorts are
//! generic, and each element type and comparison gets its own copy of a large algorithm (they
//! made up a twelfth of the wasm). Here every sort orders a list of positions through one
//! comparison callback, then moves the elements into that order: stable, O(n log n), and
//! a few hundred bytes per call site instead of several kilobytes.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Stable sorts for slices (and so vectors): `order`, `order_by`, `order_by_key`.
pub trait Order<T> {
    fn order_by(&mut self, cmp: impl FnMut(&T, &T) -> Ordering);

    fn order_by_key<K: Ord>(&mut self, mut key: impl FnMut(&T) -> K) {
        self.order_by(|a, b| key(a).cmp(&key(b)));
    }

    fn order(&mut self)
    where
        T: Ord,
    {
        self.order_by(T::cmp);
    }
}

impl<T> Order<T> for [T] {
    fn order_by(&mut self, mut cmp: impl FnMut(&T, &T) -> Ordering) {
        if self.len() < 2 {
            return;
        }
        let mut positions: Vec<u32> = (0..self.len() as u32).collect();
        {
            let items: &[T] = self;
            order_positions(&mut positions, &mut |a, b| cmp(&items[a], &items[b]));
        }
        permute(self, &mut positions);
    }
}

/// A set made by inserting each item (collecting into a `BTreeSet` sorts the items first, with
/// its own copy of the sort for each item type).
pub fn set<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut s = BTreeSet::new();
    for x in items {
        s.insert(x);
    }
    s
}

/// A map made by inserting each pair (the last value of a key wins, as with `collect`).
pub fn map<K: Ord, V>(items: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut m = BTreeMap::new();
    for (k, v) in items {
        m.insert(k, v);
    }
    m
}

/// The one sort: positions ordered by what `cmp` says of the elements there.
#[inline(never)]
fn order_positions(positions: &mut [u32], cmp: &mut dyn FnMut(usize, usize) -> Ordering) {
    positions.sort_by(|a, b| cmp(*a as usize, *b as usize));
}

/// Puts into place `i` the element that was at `from[i]`, following each cycle of the
/// permutation with swaps (`from` is used up).
fn permute<T>(v: &mut [T], from: &mut [u32]) {
    for start in 0..v.len() {
        if from[start] as usize == start {
            continue;
        }
        let mut cur = start;
        loop {
            let src = from[cur] as usize;
            from[cur] = cur as u32;
            if src == start {
                break;
            }
            v.swap(cur, src);
            cur = src;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_and_complete() {
        let mut v = vec![(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e'), (0, 'f')];
        v.order_by_key(|p| p.0);
        assert_eq!(v, [(0, 'f'), (1, 'b'), (1, 'e'), (2, 'd'), (3, 'a'), (3, 'c')]);
        let mut w: Vec<String> = ["pear", "apple", "fig", "kiwi", "banana"].iter().map(|s| s.to_string()).collect();
        w.order();
        assert_eq!(w, ["apple", "banana", "fig", "kiwi", "pear"]);
        w.order_by(|a, b| b.len().cmp(&a.len()));
        assert_eq!(w, ["banana", "apple", "kiwi", "pear", "fig"]);
        // Every permutation of five comes out sorted.
        let mut n = 0;
        for p in 0..3125u32 {
            let mut v: Vec<u32> = (0..5).map(|i| (p / 5u32.pow(i)) % 5).collect();
            let mut want = v.clone();
            want.sort();
            v.order();
            assert_eq!(v, want);
            n += 1;
        }
        assert_eq!(n, 3125);
    }
}
