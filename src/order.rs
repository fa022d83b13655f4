//! Ordering by real-valued keys, in one sort for the whole crate.
//!
//! Every `sort_by` with its own closure is a sort of its own in the binary: in the page's wasm, nineteen of
//! them came to 160 KB of its 1.5 MB of code. Here each ordering is a list of keys — a number in
//! [`f64::total_cmp`]'s order, then a whole number breaking its ties, then the position — sorted by one
//! function, and the items are then moved into that order. The position makes the keys distinct, so the
//! result is the stable sort's: callers get exactly the order their own `sort_by` gave.

/// One item's place: its key, its tie-break, its position before sorting.
type Key = (f64, usize, usize);

/// The one sort: by key in total order, then tie-break, then position (all distinct, so stability is moot).
#[inline(never)]
fn sort_keys(keys: &mut [Key]) {
    keys.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
}

/// Sorts `items` stably by `key(item)`: its number in [`f64::total_cmp`]'s order (negate it for the largest
/// first), then its whole number, ascending.
pub fn sort_by_key<T>(items: &mut Vec<T>, key: impl Fn(&T) -> (f64, usize)) {
    let mut keys: Vec<Key> = items
        .iter()
        .enumerate()
        .map(|(position, item)| {
            let (k, tie) = key(item);
            (k, tie, position)
        })
        .collect();
    sort_keys(&mut keys);
    let mut old: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(keys.iter().filter_map(|&(_, _, position)| old[position].take()));
}

/// Sorts indices by `key(index)` in [`f64::total_cmp`]'s order (negate it for the largest first), ties by the
/// index, ascending.
pub fn sort_indices(indices: &mut [usize], key: impl Fn(usize) -> f64) {
    let mut keys: Vec<Key> = indices.iter().map(|&i| (key(i), i, 0)).collect();
    sort_keys(&mut keys);
    for (slot, &(_, i, _)) in indices.iter_mut().zip(&keys) {
        *slot = i;
    }
}

/// The indices `0..n` ordered by `key(index)`, as [`sort_indices`] orders them.
pub fn argsort(n: usize, key: impl Fn(usize) -> f64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    sort_indices(&mut order, key);
    order
}

/// Sorts numbers in [`f64::total_cmp`]'s order (NaN after +∞, −NaN before −∞).
pub fn sort_numbers(values: &mut [f64]) {
    values.sort_unstable_by(f64::total_cmp);
}

// proptest is a native dev-dependency: these tests run natively (the wasm tests compare the engine's
// numbers with native ones to the bit).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn special() -> impl Strategy<Value = f64> {
        prop_oneof![
            any::<f64>(),
            Just(0.0),
            Just(-0.0),
            Just(1.0),
            Just(f64::NAN),
            Just(-f64::NAN),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY)
        ]
    }

    proptest! {
        /// The same order as the standard library's stable sort with the same comparison.
        #[test]
        fn matches_the_stable_sort(items in prop::collection::vec((special(), 0usize..4, any::<u16>()), 0..60)) {
            let mut ours = items.clone();
            sort_by_key(&mut ours, |t| (t.0, t.1));
            let mut std = items.clone();
            std.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let bits = |v: &[(f64, usize, u16)]| v.iter().map(|t| (t.0.to_bits(), t.1, t.2)).collect::<Vec<_>>();
            prop_assert_eq!(bits(&ours), bits(&std));
        }

        /// Indices by a key, ties by index; negated keys give the largest first with ties still by index.
        #[test]
        fn indices_by_key(keys in prop::collection::vec(prop_oneof![special(), Just(2.0), Just(-2.0)], 0..60)) {
            let up = argsort(keys.len(), |i| keys[i]);
            let mut std: Vec<usize> = (0..keys.len()).collect();
            std.sort_by(|&a, &b| keys[a].total_cmp(&keys[b]).then(a.cmp(&b)));
            prop_assert_eq!(&up, &std);
            let down = argsort(keys.len(), |i| -keys[i]);
            std.sort_by(|&a, &b| keys[b].total_cmp(&keys[a]).then(a.cmp(&b)));
            prop_assert_eq!(&down, &std);
        }

        #[test]
        fn numbers(values in prop::collection::vec(special(), 0..60)) {
            let mut ours = values.clone();
            sort_numbers(&mut ours);
            let mut std = values;
            std.sort_by(f64::total_cmp);
            prop_assert_eq!(ours.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), std.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
        }
    }
}
