//! Where a shard keeps its records' bytes: each record's partition key
//! (text) and its data (bytes), appended to large blocks that are freed
//! whole once retention has trimmed every record in them.
//!
//! Records used to own a `String` and a `Vec` each. A shard keeps a day of
//! records (432,000 at five a second), and freeing their buffers one by one
//! a day after they were allocated cost more than all the rest of a
//! PutRecord and GetRecords together: the allocator's heap is fragmented by
//! then, and each free touches memory nothing else has touched for a day.
//! Here a write appends to the newest blocks and a trim drops a block only
//! when its last record goes. Texts are kept in `String` blocks, so reading
//! one back is a slice, not another UTF-8 validation.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

/// Records are appended to blocks that grow from the first size to the
/// second, so that a shard with few records holds little (a record larger
/// than a block gets a block of its own).
const FIRST_BLOCK_BYTES: usize = 1024;
const BLOCK_BYTES: usize = 64 * 1024;

/// Where one record's bytes are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    /// Block numbers count from the shard's first block, not from the
    /// blocks still held.
    text_block: u64,
    data_block: u64,
    text_start: u32,
    data_start: u32,
    data_len: u32,
    key_len: u16,
}

impl Span {
    pub(crate) fn key_len(&self) -> usize {
        usize::from(self.key_len)
    }

    pub(crate) fn data_len(&self) -> usize {
        self.data_len as usize
    }
}

/// What a block is: a `String` for texts, a `Vec<u8>` for data.
trait Block: Sized {
    fn with_capacity(capacity: usize) -> Self;
    fn capacity(&self) -> usize;
    fn len(&self) -> usize;
    fn clear(&mut self);
}

macro_rules! block {
    ($type:ty) => {
        impl Block for $type {
            fn with_capacity(capacity: usize) -> Self {
                <$type>::with_capacity(capacity)
            }
            fn capacity(&self) -> usize {
                <$type>::capacity(self)
            }
            fn len(&self) -> usize {
                <$type>::len(self)
            }
            fn clear(&mut self) {
                <$type>::clear(self)
            }
        }
    };
}
block!(String);
block!(Vec<u8>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Blocks<B> {
    blocks: VecDeque<B>,
    /// The number of `blocks[0]`.
    first: u64,
    /// The last full-size block freed, kept to be the next one filled: a
    /// shard at a steady rate then allocates no memory for its records.
    spare: Option<B>,
}

impl<B> Default for Blocks<B> {
    fn default() -> Self {
        Blocks { blocks: VecDeque::new(), first: 0, spare: None }
    }
}

impl<B: Block> Blocks<B> {
    /// The newest block, with room for `len` more bytes, and its number.
    // Inlined natively up to the test that the newest block has room,
    // which nearly every record passes.
    #[cfg_attr(not(target_family = "wasm"), inline(always))]
    fn room_for(&mut self, len: usize) -> (u64, &mut B) {
        if self.blocks.back().is_none_or(|b| b.capacity() - b.len() < len) {
            self.add_block(len);
        }
        let last = self.blocks.len() - 1;
        (self.first + last as u64, &mut self.blocks[last])
    }

    /// Appends a block with room for at least `len` bytes.
    #[inline(never)]
    fn add_block(&mut self, len: usize) {
        let grown = self.blocks.back().map_or(FIRST_BLOCK_BYTES, |b| b.capacity() * 2);
        let block = match self.spare.take() {
            Some(spare) if spare.capacity() >= len => spare,
            _ => B::with_capacity(len.max(grown.clamp(FIRST_BLOCK_BYTES, BLOCK_BYTES))),
        };
        self.blocks.push_back(block);
    }

    fn get(&self, number: u64) -> Option<&B> {
        self.blocks.get(usize::try_from(number.checked_sub(self.first)?).ok()?)
    }

    /// Frees the blocks numbered before `number`.
    fn release_before(&mut self, number: u64) {
        while self.first < number {
            let Some(mut block) = self.blocks.pop_front() else { break };
            self.first += 1;
            block.clear();
            if block.capacity() == BLOCK_BYTES {
                self.spare = Some(block);
            }
        }
    }

    fn capacity(&self) -> usize {
        self.blocks.iter().map(B::capacity).sum()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RecordBytes {
    texts: Blocks<String>,
    data: Blocks<Vec<u8>>,
}

impl RecordBytes {
    /// Appends a record. A partition key is at most 256 bytes; the data is
    /// at most 10 MiB.
    // Inlined, so that the span's fields reach the record that keeps it
    // one by one: returned whole, it was copied with wide loads that waited
    // on the narrow stores that had just written it (half of a write's time).
    #[inline(always)]
    pub(crate) fn push(&mut self, key: &str, data: &[u8]) -> Span {
        let (text_block, texts) = self.texts.room_for(key.len());
        let text_start = texts.len() as u32;
        texts.push_str(key);
        let (data_block, bytes) = self.data.room_for(data.len());
        let data_start = bytes.len() as u32;
        bytes.extend_from_slice(data);
        Span { text_block, data_block, text_start, data_start, data_len: data.len() as u32, key_len: key.len() as u16 }
    }

    pub(crate) fn partition_key(&self, span: &Span) -> &str {
        let start = span.text_start as usize;
        self.texts.get(span.text_block).and_then(|block| block.get(start..start + span.key_len())).unwrap_or_default()
    }

    pub(crate) fn data(&self, span: &Span) -> &[u8] {
        let start = span.data_start as usize;
        self.data.get(span.data_block).and_then(|block| block.get(start..start + span.data_len())).unwrap_or_default()
    }

    /// Frees the blocks before those holding `oldest`, the oldest record
    /// still kept (or every block, when none is).
    pub(crate) fn release_before(&mut self, oldest: Option<&Span>) {
        self.texts.release_before(oldest.map_or(u64::MAX, |s| s.text_block));
        self.data.release_before(oldest.map_or(u64::MAX, |s| s.data_block));
    }

    /// Bytes held in blocks, free room included.
    pub fn capacity(&self) -> usize {
        self.texts.capacity() + self.data.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use proptest::prelude::*;

    #[test]
    fn a_record_reads_back_in_its_parts() {
        let mut bytes = RecordBytes::default();
        let a = bytes.push("ключ", b"data");
        let b = bytes.push("k", b"");
        assert_eq!((bytes.partition_key(&a), bytes.data(&a)), ("ключ", &b"data"[..]));
        assert_eq!((bytes.partition_key(&b), bytes.data(&b)), ("k", &b""[..]));
    }

    #[test]
    fn blocks_start_small_and_grow() {
        let mut bytes = RecordBytes::default();
        bytes.push("k", b"x");
        assert_eq!(bytes.capacity(), 2 * FIRST_BLOCK_BYTES, "a shard with one record holds two small blocks");
        for _ in 0..1_000 {
            bytes.push("k", &[0; 200]);
        }
        let sizes: Vec<usize> = bytes.data.blocks.iter().map(Vec::capacity).collect();
        assert_eq!(sizes[..4], [1024, 2048, 4096, 8192]);
        assert!(sizes.iter().all(|&s| s <= BLOCK_BYTES));
    }

    #[test]
    fn a_large_record_gets_a_block_of_its_own() {
        let mut bytes = RecordBytes::default();
        let big = vec![7u8; 3 * BLOCK_BYTES];
        let small = bytes.push("k", b"x");
        let large = bytes.push("k", &big);
        assert_eq!(bytes.data(&large), &big[..]);
        assert_eq!(bytes.data(&small), b"x");
        bytes.release_before(Some(&large));
        assert_eq!(bytes.data(&large), &big[..]);
        assert_eq!(bytes.data(&small), b"", "its block is gone");
    }

    proptest! {
        /// Written in order and trimmed from the front, as a shard does:
        /// every kept record reads back exactly, and the memory held stays
        /// within a block or two of what the kept records need.
        #[test]
        fn kept_records_read_back_and_trimmed_memory_is_freed(
            steps in proptest::collection::vec((0usize..3_000, 0usize..4), 1..400),
        ) {
            let mut bytes = RecordBytes::default();
            let mut kept: VecDeque<(Span, String, Vec<u8>)> = VecDeque::new();
            for (i, (len, trim)) in steps.into_iter().enumerate() {
                let data: Vec<u8> = (0..len).map(|j| (i + j) as u8).collect();
                let key = alloc::format!("key-{i}");
                let span = bytes.push(&key, &data);
                kept.push_back((span, key, data));
                for _ in 0..trim.min(kept.len()) {
                    kept.pop_front();
                }
                bytes.release_before(kept.front().map(|(s, _, _)| s));
                for (span, key, data) in &kept {
                    prop_assert_eq!(bytes.data(span), &data[..]);
                    prop_assert_eq!(bytes.partition_key(span), key.as_str());
                }
                let needed: usize = kept.iter().map(|(s, _, _)| s.key_len() + s.data_len()).sum();
                prop_assert!(bytes.capacity() <= needed + 4 * BLOCK_BYTES);
            }
        }
    }
}
