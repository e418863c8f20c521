//! Where a shard keeps its records' bytes: each record's sequence number,
//! partition key and data, appended to large blocks that are freed whole
//! once retention has trimmed every record in them.
//!
//! Records used to own a `String` and a `Vec` each. A shard keeps a day of
//! records (432,000 at five a second), and freeing their buffers one by one
//! a day after they were allocated cost more than all the rest of a
//! PutRecord and GetRecords together: the allocator's heap is fragmented by
//! then, and each free touches memory nothing else has touched for a day.
//! Here a write appends to the newest block and a trim drops a block only
//! when its last record goes.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

/// Records are appended to blocks that grow from the first size to the
/// second, so that a shard with few records holds little (a record larger
/// than a block gets a block of its own).
const FIRST_BLOCK_BYTES: usize = 1024;
const BLOCK_BYTES: usize = 64 * 1024;

/// Where one record's bytes are: sequence number, then partition key, then data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    /// The block's number since the shard began (not its position in the queue).
    block: u64,
    start: u32,
    sequence_len: u8,
    key_len: u16,
    data_len: u32,
}

impl Span {
    pub(crate) fn key_len(&self) -> usize {
        usize::from(self.key_len)
    }

    pub(crate) fn data_len(&self) -> usize {
        self.data_len as usize
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RecordBytes {
    blocks: VecDeque<Vec<u8>>,
    /// The number of `blocks[0]`.
    first: u64,
    /// The last block freed, kept to be the next one filled: a shard at a
    /// steady rate then allocates no memory at all for its records.
    spare: Option<Vec<u8>>,
}

impl RecordBytes {
    /// Appends a record. A partition key is at most 256 bytes and a sequence
    /// number fewer than 64 digits; the data is at most 10 MiB.
    pub(crate) fn push(&mut self, sequence_number: &[u8], key: &[u8], data: &[u8]) -> Span {
        let len = sequence_number.len() + key.len() + data.len();
        let fits = self.blocks.back().is_some_and(|b| b.capacity() - b.len() >= len);
        if !fits {
            let grown = self.blocks.back().map_or(FIRST_BLOCK_BYTES, |b| b.capacity() * 2);
            let block = match self.spare.take() {
                Some(spare) if spare.capacity() >= len => spare,
                _ => Vec::with_capacity(len.max(grown.clamp(FIRST_BLOCK_BYTES, BLOCK_BYTES))),
            };
            self.blocks.push_back(block);
        }
        let number = self.first + self.blocks.len() as u64 - 1;
        let mut span = Span {
            block: number,
            start: 0,
            sequence_len: sequence_number.len() as u8,
            key_len: key.len() as u16,
            data_len: data.len() as u32,
        };
        if let Some(block) = self.blocks.back_mut() {
            span.start = block.len() as u32;
            block.extend_from_slice(sequence_number);
            block.extend_from_slice(key);
            block.extend_from_slice(data);
        }
        span
    }

    fn bytes(&self, span: &Span) -> &[u8] {
        let start = span.start as usize;
        let len = usize::from(span.sequence_len) + span.key_len() + span.data_len();
        usize::try_from(span.block.wrapping_sub(self.first))
            .ok()
            .and_then(|at| self.blocks.get(at))
            .and_then(|block| block.get(start..start + len))
            .unwrap_or_default()
    }

    pub(crate) fn sequence_number(&self, span: &Span) -> &str {
        let bytes = self.bytes(span);
        core::str::from_utf8(bytes.get(..usize::from(span.sequence_len)).unwrap_or_default()).unwrap_or_default()
    }

    pub(crate) fn partition_key(&self, span: &Span) -> &str {
        let from = usize::from(span.sequence_len);
        let key = self.bytes(span).get(from..from + span.key_len()).unwrap_or_default();
        core::str::from_utf8(key).unwrap_or_default()
    }

    pub(crate) fn data(&self, span: &Span) -> &[u8] {
        let bytes = self.bytes(span);
        bytes.len().checked_sub(span.data_len()).and_then(|from| bytes.get(from..)).unwrap_or_default()
    }

    /// Frees the blocks before the one holding `oldest`, the oldest record
    /// still kept (or every block, when none is).
    pub(crate) fn release_before(&mut self, oldest: Option<&Span>) {
        let keep_from = oldest.map_or(u64::MAX, |s| s.block);
        while self.first < keep_from {
            let Some(mut block) = self.blocks.pop_front() else { break };
            self.first += 1;
            block.clear();
            if block.capacity() == BLOCK_BYTES {
                self.spare = Some(block);
            }
        }
    }

    /// Bytes held in blocks, free room included.
    pub fn capacity(&self) -> usize {
        self.blocks.iter().map(Vec::capacity).sum()
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
        let a = bytes.push(b"49", "ключ".as_bytes(), b"data");
        let b = bytes.push(b"50", b"k", b"");
        assert_eq!((bytes.sequence_number(&a), bytes.partition_key(&a), bytes.data(&a)), ("49", "ключ", &b"data"[..]));
        assert_eq!((bytes.sequence_number(&b), bytes.partition_key(&b), bytes.data(&b)), ("50", "k", &b""[..]));
    }

    #[test]
    fn blocks_start_small_and_grow() {
        let mut bytes = RecordBytes::default();
        bytes.push(b"1", b"k", b"x");
        assert_eq!(bytes.capacity(), FIRST_BLOCK_BYTES, "a shard with one record holds a small block");
        for _ in 0..1_000 {
            bytes.push(b"1", b"k", &[0; 200]);
        }
        let sizes: Vec<usize> = bytes.blocks.iter().map(Vec::capacity).collect();
        assert_eq!(sizes[..4], [1024, 2048, 4096, 8192]);
        assert!(sizes.iter().all(|&s| s <= BLOCK_BYTES));
    }

    #[test]
    fn a_large_record_gets_a_block_of_its_own() {
        let mut bytes = RecordBytes::default();
        let big = vec![7u8; 3 * BLOCK_BYTES];
        let small = bytes.push(b"1", b"k", b"x");
        let large = bytes.push(b"2", b"k", &big);
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
            let mut kept: VecDeque<(Span, Vec<u8>)> = VecDeque::new();
            for (i, (len, trim)) in steps.into_iter().enumerate() {
                let data: Vec<u8> = (0..len).map(|j| (i + j) as u8).collect();
                let key = alloc::format!("key-{i}");
                let span = bytes.push(b"123", key.as_bytes(), &data);
                kept.push_back((span, data));
                for _ in 0..trim.min(kept.len()) {
                    kept.pop_front();
                }
                bytes.release_before(kept.front().map(|(s, _)| s));
                for (span, data) in &kept {
                    prop_assert_eq!(bytes.data(span), &data[..]);
                    prop_assert_eq!(bytes.sequence_number(span), "123");
                }
                let needed: usize = kept.iter().map(|(s, _)| 3 + s.key_len() + s.data_len()).sum();
                prop_assert!(bytes.capacity() <= needed + 2 * BLOCK_BYTES);
            }
        }
    }
}
