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

/// Go's `sort.Sort` (pattern-defeating quicksort since Go 1.19): not stable, but
/// deterministic, so equal elements end where Go's leaves them. kubectl sorts some tables
/// with it (`top --sort-by`); matching its order of ties needs the same algorithm.
pub fn go_sort_by<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    let n = v.len();
    if n < 2 {
        return;
    }
    let mut pos: Vec<u32> = (0..n as u32).collect();
    {
        let mut s = GoSorter { pos: &mut pos, less: &|a: usize, b: usize| less(&v[a], &v[b]) };
        let limit = usize::BITS - n.leading_zeros();
        s.pdqsort(0, n, limit as usize);
    }
    permute(v, &mut pos);
}

/// The positions being sorted and how two elements compare.
struct GoSorter<'a> {
    pos: &'a mut [u32],
    less: &'a dyn Fn(usize, usize) -> bool,
}

#[derive(PartialEq, Eq)]
enum Hint {
    Unknown,
    Increasing,
    Decreasing,
}

impl GoSorter<'_> {
    fn less(&self, i: usize, j: usize) -> bool {
        (self.less)(self.pos[i] as usize, self.pos[j] as usize)
    }
    fn swap(&mut self, i: usize, j: usize) {
        self.pos.swap(i, j);
    }

    fn insertion_sort(&mut self, a: usize, b: usize) {
        for i in a + 1..b {
            let mut j = i;
            while j > a && self.less(j, j - 1) {
                self.swap(j, j - 1);
                j -= 1;
            }
        }
    }

    fn sift_down(&mut self, lo: usize, hi: usize, first: usize) {
        let mut root = lo;
        loop {
            let mut child = 2 * root + 1;
            if child >= hi {
                return;
            }
            if child + 1 < hi && self.less(first + child, first + child + 1) {
                child += 1;
            }
            if !self.less(first + root, first + child) {
                return;
            }
            self.swap(first + root, first + child);
            root = child;
        }
    }

    fn heap_sort(&mut self, a: usize, b: usize) {
        let (first, hi) = (a, b - a);
        for i in (0..=(hi.saturating_sub(1)) / 2).rev() {
            self.sift_down(i, hi, first);
        }
        for i in (0..hi).rev() {
            self.swap(first, first + i);
            self.sift_down(0, i, first);
        }
    }

    fn pdqsort(&mut self, mut a: usize, mut b: usize, mut limit: usize) {
        const MAX_INSERTION: usize = 12;
        let (mut was_balanced, mut was_partitioned) = (true, true);
        loop {
            let length = b - a;
            if length <= MAX_INSERTION {
                self.insertion_sort(a, b);
                return;
            }
            if limit == 0 {
                self.heap_sort(a, b);
                return;
            }
            if !was_balanced {
                self.break_patterns(a, b);
                limit -= 1;
            }
            let (mut pivot, mut hint) = self.choose_pivot(a, b);
            if hint == Hint::Decreasing {
                self.reverse_range(a, b);
                pivot = (b - 1) - (pivot - a);
                hint = Hint::Increasing;
            }
            if was_balanced && was_partitioned && hint == Hint::Increasing && self.partial_insertion_sort(a, b) {
                return;
            }
            if a > 0 && !self.less(a - 1, pivot) {
                a = self.partition_equal(a, b, pivot);
                continue;
            }
            let (mid, already) = self.partition(a, b, pivot);
            was_partitioned = already;
            let (left, right) = (mid - a, b - mid);
            let threshold = length / 8;
            if left < right {
                was_balanced = left >= threshold;
                self.pdqsort(a, mid, limit);
                a = mid + 1;
            } else {
                was_balanced = right >= threshold;
                self.pdqsort(mid + 1, b, limit);
                b = mid;
            }
        }
    }

    /// Partitions around the pivot; says whether nothing had to move (Go unrolls the first
    /// scan; one loop that notes whether it swapped is the same).
    fn partition(&mut self, a: usize, b: usize, pivot: usize) -> (usize, bool) {
        self.swap(a, pivot);
        let (mut i, mut j) = (a + 1, b as isize - 1);
        let mut untouched = true;
        loop {
            while i as isize <= j && self.less(i, a) {
                i += 1;
            }
            while i as isize <= j && !self.less(j as usize, a) {
                j -= 1;
            }
            if i as isize > j {
                break;
            }
            untouched = false;
            self.swap(i, j as usize);
            i += 1;
            j -= 1;
        }
        self.swap(j as usize, a);
        (j as usize, untouched)
    }

    fn partition_equal(&mut self, a: usize, b: usize, pivot: usize) -> usize {
        self.swap(a, pivot);
        let (mut i, mut j) = (a + 1, b as isize - 1);
        loop {
            while i as isize <= j && !self.less(a, i) {
                i += 1;
            }
            while i as isize <= j && self.less(a, j as usize) {
                j -= 1;
            }
            if i as isize > j {
                break;
            }
            self.swap(i, j as usize);
            i += 1;
            j -= 1;
        }
        i
    }

    fn partial_insertion_sort(&mut self, a: usize, b: usize) -> bool {
        const MAX_STEPS: usize = 5;
        const SHORTEST_SHIFTING: usize = 50;
        let mut i = a + 1;
        for _ in 0..MAX_STEPS {
            while i < b && !self.less(i, i - 1) {
                i += 1;
            }
            if i == b {
                return true;
            }
            if b - a < SHORTEST_SHIFTING {
                return false;
            }
            self.swap(i, i - 1);
            if i - a >= 2 {
                let mut j = i - 1;
                while j >= 1 {
                    if !self.less(j, j - 1) {
                        break;
                    }
                    self.swap(j, j - 1);
                    j -= 1;
                }
            }
            if b - i >= 2 {
                for j in i + 1..b {
                    if !self.less(j, j - 1) {
                        break;
                    }
                    self.swap(j, j - 1);
                }
            }
        }
        false
    }

    fn break_patterns(&mut self, a: usize, b: usize) {
        let length = b - a;
        if length >= 8 {
            let mut random = length as u64;
            let modulus = 1u64 << (usize::BITS - length.leading_zeros());
            let idx = a + (length / 4) * 2 - 1;
            for i in 0..3 {
                random ^= random << 13;
                random ^= random >> 7;
                random ^= random << 17;
                let mut other = (random & (modulus - 1)) as usize;
                if other >= length {
                    other -= length;
                }
                self.swap(idx - 1 + i, a + other);
            }
        }
    }

    fn choose_pivot(&mut self, a: usize, b: usize) -> (usize, Hint) {
        const SHORTEST_NINTHER: usize = 50;
        const MAX_SWAPS: usize = 4 * 3;
        let l = b - a;
        let mut swaps = 0;
        let (mut i, mut j, mut k) = (a + l / 4, a + l / 4 * 2, a + l / 4 * 3);
        if l >= 8 {
            if l >= SHORTEST_NINTHER {
                i = self.median(i - 1, i, i + 1, &mut swaps);
                j = self.median(j - 1, j, j + 1, &mut swaps);
                k = self.median(k - 1, k, k + 1, &mut swaps);
            }
            j = self.median(i, j, k, &mut swaps);
        }
        match swaps {
            0 => (j, Hint::Increasing),
            MAX_SWAPS => (j, Hint::Decreasing),
            _ => (j, Hint::Unknown),
        }
    }

    fn order2(&self, a: usize, b: usize, swaps: &mut usize) -> (usize, usize) {
        if self.less(b, a) {
            *swaps += 1;
            return (b, a);
        }
        (a, b)
    }

    fn median(&self, a: usize, b: usize, c: usize, swaps: &mut usize) -> usize {
        let (a, b) = self.order2(a, b, swaps);
        let (b, c) = self.order2(b, c, swaps);
        let _ = c;
        let (_, b) = self.order2(a, b, swaps);
        b
    }

    fn reverse_range(&mut self, a: usize, b: usize) {
        let (mut i, mut j) = (a, b - 1);
        while i < j {
            self.swap(i, j);
            i += 1;
            j -= 1;
        }
    }
}

#[cfg(test)]
mod go_sort_tests {
    use super::*;

    #[test]
    fn sorts_like_an_ordinary_sort_apart_from_ties() {
        let mut v: Vec<i64> = (0..200).map(|i| (i * 7919) % 101).collect();
        let mut w = v.clone();
        go_sort_by(&mut v, |a, b| a < b);
        w.sort();
        assert_eq!(v, w);
        let mut desc: Vec<i64> = (0..60).collect();
        go_sort_by(&mut desc, |a, b| a > b);
        assert_eq!(desc, (0..60).rev().collect::<Vec<_>>());
    }
}
