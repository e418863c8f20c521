//! The numbers of a standard queue's visible messages, lowest first.
//!
//! A two-level bitmap over a window of message numbers: one bit per number,
//! and one summary bit per 64-bit word that says whether the word has any bit
//! set. Adding or removing a number sets or clears a bit or two, so a burst
//! of expiries that makes 100,000 messages visible again writes one word per
//! 64 of them, in order, where an ordered tree set walked down from its root
//! and allocated a node every few inserts (that was most of the burst's cost,
//! and grew with the count). Finding the lowest number skips 4,096 absent
//! numbers per summary word, so a receive stays cheap when a long run of
//! in-flight messages precedes the visible ones.
//!
//! The window spans the lowest to the highest number present, in blocks of
//! 4,096 numbers: blocks that empty at either end are given back, so a queue
//! whose numbers climb forever keeps only the span it has visible.

use alloc::vec::Vec;

const WORD_BITS: u64 = u64::BITS as u64;
/// Numbers covered by one summary word: 64 words of 64 bits.
const BLOCK: u64 = WORD_BITS * WORD_BITS;
const WORDS_PER_BLOCK: usize = WORD_BITS as usize;

// Plain vectors rather than deques: every operation indexes, and blocks come
// and go at the front once per 4,096 numbers, where moving the rest down
// costs less than a deque's wrap-around arithmetic on every index.
#[derive(Clone, Debug, Default)]
pub(crate) struct VisibleSet {
    /// The number that bit 0 of `words[0]` stands for; a multiple of [`BLOCK`].
    base: u64,
    /// Bit `b` of `words[w]` is number `base + 64 w + b`; always whole blocks.
    words: Vec<u64>,
    /// Bit `b` of `summary[s]` is set when `words[64 s + b]` is not zero.
    summary: Vec<u64>,
    len: usize,
}

impl VisibleSet {
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds `number`; false if it was already present.
    pub(crate) fn insert(&mut self, number: u64) -> bool {
        if self.len == 0 {
            // Empty: every word is zero, so the window moves to the new
            // number without clearing anything, keeping one block.
            self.base = number - number % BLOCK;
            self.words.truncate(WORDS_PER_BLOCK);
            self.summary.truncate(1);
        }
        if number < self.base {
            self.grow_front_to(number);
        }
        let Some((word, bit)) = self.position(number) else { return false };
        if word >= self.words.len() {
            self.grow_back_to(word);
        }
        let Some(w) = self.words.get_mut(word) else { return false };
        if *w & bit != 0 {
            return false;
        }
        *w |= bit;
        self.summary[word / WORDS_PER_BLOCK] |= 1 << (word % WORDS_PER_BLOCK);
        self.len += 1;
        true
    }

    /// Removes `number`; false if it was not present.
    pub(crate) fn remove(&mut self, number: u64) -> bool {
        let Some((word, bit)) = self.position(number) else { return false };
        let Some(w) = self.words.get_mut(word) else { return false };
        if *w & bit == 0 {
            return false;
        }
        *w &= !bit;
        self.len -= 1;
        if *w == 0 {
            self.summary[word / WORDS_PER_BLOCK] &= !(1 << (word % WORDS_PER_BLOCK));
            self.give_back_empty_blocks();
        }
        true
    }

    /// Present numbers in increasing order.
    pub(crate) fn iter(&self) -> Iter<'_> {
        Iter { set: self, next_offset: 0 }
    }

    /// The word index and bit of `number`, if it is not below the window.
    #[inline]
    fn position(&self, number: u64) -> Option<(usize, u64)> {
        let offset = number.checked_sub(self.base)?;
        Some((usize::try_from(offset / WORD_BITS).ok()?, 1 << (offset % WORD_BITS)))
    }

    #[cold]
    fn grow_front_to(&mut self, number: u64) {
        let blocks = (self.base - number).div_ceil(BLOCK);
        let Ok(count) = usize::try_from(blocks) else { return };
        self.summary.splice(0..0, core::iter::repeat_n(0, count));
        self.words.splice(0..0, core::iter::repeat_n(0, count * WORDS_PER_BLOCK));
        self.base -= blocks * BLOCK;
    }

    #[cold]
    fn grow_back_to(&mut self, word: usize) {
        let blocks = word / WORDS_PER_BLOCK + 1;
        self.summary.resize(blocks, 0);
        self.words.resize(blocks * WORDS_PER_BLOCK, 0);
    }

    /// Drops empty blocks at both ends, keeping at least one.
    fn give_back_empty_blocks(&mut self) {
        let empty_front = self.summary.iter().take_while(|&&s| s == 0).count().min(self.summary.len() - 1);
        if empty_front > 0 {
            self.summary.drain(..empty_front);
            self.words.drain(..empty_front * WORDS_PER_BLOCK);
            self.base += empty_front as u64 * BLOCK;
        }
        while self.summary.len() > 1 && self.summary.last() == Some(&0) {
            self.summary.pop();
            self.words.truncate(self.words.len() - WORDS_PER_BLOCK);
        }
    }

    /// The offset from `base` of the first present number at or after `from`.
    #[inline]
    fn first_from(&self, from: u64) -> Option<u64> {
        let word = usize::try_from(from / WORD_BITS).ok()?;
        let in_word = *self.words.get(word)? & (u64::MAX << (from % WORD_BITS));
        if in_word != 0 {
            return Some(word as u64 * WORD_BITS + u64::from(in_word.trailing_zeros()));
        }
        self.first_after_word(word)
    }

    /// The offset of the first present number in a word after `word`.
    fn first_after_word(&self, word: usize) -> Option<u64> {
        let mut block = word / WORDS_PER_BLOCK;
        let after = word % WORDS_PER_BLOCK + 1;
        let mut nonzero_words = self.summary[block] & u64::MAX.checked_shl(after as u32).unwrap_or(0);
        while nonzero_words == 0 {
            block += 1;
            nonzero_words = *self.summary.get(block)?;
        }
        let word = block * WORDS_PER_BLOCK + nonzero_words.trailing_zeros() as usize;
        Some(word as u64 * WORD_BITS + u64::from(self.words[word].trailing_zeros()))
    }
}

/// [`VisibleSet::iter`]: numbers in increasing order.
#[derive(Clone, Debug)]
pub(crate) struct Iter<'a> {
    set: &'a VisibleSet,
    next_offset: u64,
}

impl Iterator for Iter<'_> {
    type Item = u64;

    #[inline]
    fn next(&mut self) -> Option<u64> {
        let offset = self.set.first_from(self.next_offset)?;
        self.next_offset = offset + 1;
        Some(self.set.base + offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeSet;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    fn contents(set: &VisibleSet) -> Vec<u64> {
        set.iter().collect()
    }

    #[test]
    fn finds_numbers_across_words_and_blocks_lowest_first() {
        let mut set = VisibleSet::default();
        for n in [5_000_000, 7, 63, 64, 4_095, 4_096, 70_000] {
            assert!(set.insert(n));
        }
        assert!(!set.insert(64), "already present");
        assert_eq!(contents(&set), [7, 63, 64, 4_095, 4_096, 70_000, 5_000_000]);
        assert_eq!(set.len, 7);
        assert!(set.remove(7) && !set.remove(7) && !set.remove(3) && !set.remove(u64::MAX));
        assert_eq!(set.iter().nth(2), Some(4_095));
    }

    #[test]
    fn keeps_only_the_span_it_holds() {
        let mut set = VisibleSet::default();
        for n in 0..100_000 {
            set.insert(n);
        }
        for n in 0..99_990 {
            set.remove(n);
        }
        assert_eq!(set.summary.len(), 1, "blocks emptied at the front are given back");
        assert_eq!(set.words.len(), WORDS_PER_BLOCK);
        for n in 99_990..100_000 {
            set.remove(n);
        }
        assert!(set.is_empty() && set.iter().next().is_none());
        // An empty set moves its window to wherever the next number is.
        set.insert(10_000_000);
        assert_eq!((set.summary.len(), set.base), (1, 10_000_000 - 10_000_000 % BLOCK));
        assert_eq!(contents(&set), [10_000_000]);
    }

    proptest! {
        /// Behaves as an ordered set of numbers, whatever the order of
        /// inserts and removes and however far apart the numbers are.
        #[test]
        fn behaves_as_an_ordered_set(ops in prop::collection::vec((any::<bool>(), prop_oneof![0u64..200, 0u64..20_000, 0u64..2_000_000]), 1..300)) {
            let mut set = VisibleSet::default();
            let mut model = BTreeSet::new();
            for (add, n) in ops {
                if add {
                    prop_assert_eq!(set.insert(n), model.insert(n));
                } else {
                    prop_assert_eq!(set.remove(n), model.remove(&n));
                }
                prop_assert_eq!(set.len, model.len());
                prop_assert_eq!(set.iter().next(), model.first().copied());
            }
            prop_assert_eq!(contents(&set), model.iter().copied().collect::<Vec<_>>());
            let span = model.last().map_or(0, |last| last / BLOCK - model.first().unwrap() / BLOCK + 1);
            prop_assert!(set.summary.len() as u64 <= span.max(1), "holds only the blocks it spans");
        }
    }
}
