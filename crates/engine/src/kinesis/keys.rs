//! The numbers Kinesis hands out: 128-bit hash keys, shard ids, sequence
//! numbers and shard iterators, in the forms AWS uses.
//!
//! Sequence numbers are decimal strings of a 188-bit value laid out the way
//! AWS's version-2 numbers are (as reverse-engineered by kinesalite): a
//! leading `2`, the shard's creation second, the record's index in the shard,
//! the arrival second, the shard's number and a trailing version `2`. The
//! record index sits above the arrival time, so numbers increase within a
//! shard, and a number can be decoded back to its shard — which is how AWS
//! knows that a `StartingSequenceNumber` "encodes shardId-…" of another shard.

use alloc::string::String;
use alloc::vec::Vec;
use base64::Engine as _;
use md5::{Digest, Md5};

use super::model::SequenceNumberText;
use super::StreamName;
use crate::time::SimTime;
use crate::{ascii, token};

/// The head of an iterator: prefix, incarnation, shard and the name's
/// length byte. The name follows, then zeros to whole base64 groups: that
/// much never changes as GetRecords reissues the iterator.
const ITERATOR_HEAD: usize = 21;
/// The tail that does change: created, next index and the check.
const ITERATOR_TAIL: usize = 24;
/// The header of the earlier layouts: prefix, created, incarnation, shard,
/// next index and the name's length byte.
const OLD_ITERATOR_HEADER: usize = 37;
/// The largest iterator of any layout, with a 255-byte name: the second
/// layout's and the current one's are the same size.
const ITERATOR_MAX: usize = old_padded_len(255);

/// The length of an iterator's unchanging part for a name of `name_len` bytes.
const fn fixed_len(name_len: usize) -> usize {
    (ITERATOR_HEAD + name_len).div_ceil(3) * 3
}

/// The length of an iterator of the second layout for a name of
/// `name_len` bytes: the name is followed by zeros up to whole base64
/// groups, then the check.
const fn old_padded_len(name_len: usize) -> usize {
    (OLD_ITERATOR_HEADER + name_len + 8).div_ceil(3) * 3
}

/// The hash key of a partition key: MD5 of its UTF-8 bytes, read as a
/// big-endian 128-bit unsigned integer.
pub fn hash_key_of(partition_key: &str) -> u128 {
    u128::from_be_bytes(Md5::digest(partition_key.as_bytes()).into())
}

/// AWS's even split of the hash space into `count` shards:
/// `step = floor(2^128 / count)`, shard `i` starts at `step * i` and the last
/// one ends at `2^128 - 1`.
pub fn even_ranges(count: u32) -> Vec<(u128, u128)> {
    let n = u128::from(count.max(1));
    // floor(2^128 / n) without a 129-bit integer: 2^128 = u128::MAX + 1.
    // One shard spans everything, so its step is never used.
    let step = if n == 1 { 0 } else { u128::MAX / n + u128::from(u128::MAX % n == n - 1) };
    (0..n)
        .map(|i| {
            let start = step * i;
            let end = if i + 1 == n { u128::MAX } else { step * (i + 1) - 1 };
            (start, end)
        })
        .collect()
}

/// Parses a decimal hash key (`0|([1-9]\d{0,38})`), `None` when it is not a
/// number or does not fit 128 bits.
pub fn parse_hash_key(text: &str) -> Option<u128> {
    if text.is_empty() || (text.len() > 1 && text.starts_with('0')) {
        return None;
    }
    text.bytes().try_fold(0u128, |acc, b| {
        let digit = b.checked_sub(b'0').filter(|d| *d < 10)?;
        acc.checked_mul(10)?.checked_add(u128::from(digit))
    })
}

/// `shardId-000000000003`.
pub fn shard_id(number: u32) -> String {
    let mut id = *b"shardId-000000000000";
    // A u32 has at most 10 digits, so it always fits the 12 zeros.
    let at = write_digits(&mut id, u64::from(number));
    debug_assert!(at >= 8);
    ascii_string(&id)
}

/// `"00".."99"`: digits are written two at a time (ids and sequence numbers
/// are formatted on every PutRecord and for every record GetRecords returns).
const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Writes `value` in decimal right-aligned into `buffer` (over what is
/// there, so a buffer of `'0'`s zero-pads); returns where the digits start.
fn write_digits(buffer: &mut [u8], mut value: u64) -> usize {
    let mut at = buffer.len();
    while value >= 100 {
        let pair = (value % 100) as usize * 2;
        value /= 100;
        at -= 2;
        buffer[at..at + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if value >= 10 {
        let pair = value as usize * 2;
        at -= 2;
        buffer[at..at + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        at -= 1;
        buffer[at] = b'0' + value as u8;
    }
    at
}

/// A `String` of bytes this module wrote as ASCII digits and letters.
fn ascii_string(bytes: &[u8]) -> String {
    core::str::from_utf8(bytes).map(String::from).unwrap_or_default()
}

/// The shard number in `shardId-000000000003` (or a bare `3`, which AWS also
/// resolves).
pub fn parse_shard_id(text: &str) -> Option<u32> {
    let digits = text.strip_prefix("shardId-").unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The record index AWS puts in a closed shard's `EndingSequenceNumber`.
pub const END_OF_SHARD_INDEX: u64 = 0x7fff_ffff_ffff_ffff;

/// What a sequence number encodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SequenceNumber {
    pub shard_created_secs: u64,
    pub shard: u32,
    /// 1-based position of the record in its shard (0 is the shard's start).
    pub index: u64,
    pub arrival_secs: u64,
}

const SECS_MASK: u64 = (1 << 36) - 1;

impl SequenceNumber {
    pub fn new(shard_created: SimTime, shard: u32, index: u64, arrival: SimTime) -> Self {
        SequenceNumber {
            shard_created_secs: shard_created.as_secs() & SECS_MASK,
            shard,
            index,
            arrival_secs: arrival.as_secs() & SECS_MASK,
        }
    }

    pub fn to_decimal(self) -> String {
        String::from(self.to_digits().as_str())
    }

    /// The decimal digits without allocating, to be kept with a record.
    pub fn to_digits(self) -> SequenceDigits {
        let mut n = U192::default();
        n.push(4, 2);
        n.push(36, self.shard_created_secs);
        n.push(4, u64::from(self.shard & 0xf));
        n.push(64, self.index);
        n.push(8, 0);
        n.push(36, self.arrival_secs);
        n.push(32, u64::from(self.shard));
        n.push(4, 2);
        n.to_digits()
    }

    /// What the digits of `next` add to this number's, when `next` is the
    /// record after this one and arrived in the same second or the next:
    /// the index sits 80 bits up and the arrival second 36 bits up, so
    /// that is 2^80 (and 2^36) in decimal, as [`digit_words`]. Adding it
    /// is much cheaper than converting the 188 bits again, and a shard
    /// written to steadily does it for nearly every record.
    fn step_to(&self, next: &SequenceNumber) -> Option<&'static [u64; 4]> {
        const NEXT_INDEX: [u64; 4] = digit_words(b"1208925819614629174706176");
        const NEXT_INDEX_AND_SECOND: [u64; 4] = digit_words(b"1208925819614697894182912");
        let follows = next.index == self.index.checked_add(1)?
            && (next.shard_created_secs, next.shard) == (self.shard_created_secs, self.shard);
        let addend = match next.arrival_secs.checked_sub(self.arrival_secs) {
            Some(0) => &NEXT_INDEX,
            Some(1) => &NEXT_INDEX_AND_SECOND,
            _ => return None,
        };
        follows.then_some(addend)
    }

    /// `None` for anything that is not a version-2 number this engine could
    /// have issued.
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() > 129 {
            return None;
        }
        let mut n = U192::from_decimal(text)?;
        let version = n.pop(4);
        let shard = n.pop(32) as u32;
        let arrival_secs = n.pop(36);
        let _byte = n.pop(8);
        let index = n.pop(64);
        let nibble = n.pop(4);
        let shard_created_secs = n.pop(36);
        let lead = n.pop(4);
        let valid = version == 2 && lead == 2 && n.is_zero() && nibble == u64::from(shard & 0xf);
        valid.then_some(SequenceNumber { shard_created_secs, shard, index, arrival_secs })
    }
}

/// A number's decimal digits, right-aligned, with `'0'`s to their left, in
/// a buffer wide enough for any 192-bit value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SequenceDigits {
    buffer: [u8; DIGITS_LEN],
    start: u8,
}

const DIGITS_LEN: usize = 64;

impl SequenceDigits {
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// The digits as a response carries them, inline.
    pub fn to_text(&self) -> SequenceNumberText {
        // The buffer is as wide as the text type, so the digits always fit.
        SequenceNumberText::from(self.as_str()).unwrap_or_default()
    }

    /// The digits, ASCII.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buffer[usize::from(self.start)..]
    }

    /// The low 32 digits as [`digit_words`], `'0'`s included where the
    /// number is shorter.
    fn low_words(&self) -> [u64; 4] {
        let mut words = [0; 4];
        for (word, chunk) in words.iter_mut().zip(self.buffer[DIGITS_LEN - 32..].chunks_exact(8)) {
            *word = u64::from_be_bytes(chunk.try_into().unwrap_or_default()).wrapping_sub(ASCII_ZEROS);
        }
        words
    }
}

/// `'0'` in every byte of a word.
const ASCII_ZEROS: u64 = 0x3030_3030_3030_3030;
/// The low bit of every byte of a word.
const BYTE_LOW_BITS: u64 = 0x0101_0101_0101_0101;

/// A decimal number of at most 32 digits as four words of eight digit
/// values (0 to 9, one per byte), most significant digit first: the low
/// digits of a sequence number, and what the next record's adds to them.
const fn digit_words(decimal: &[u8]) -> [u64; 4] {
    let mut words = [0u64; 4];
    let mut from_right = 0;
    while from_right < decimal.len() && from_right < 32 {
        let digit = (decimal[decimal.len() - 1 - from_right] - b'0') as u64;
        words[3 - from_right / 8] |= digit << (8 * (from_right % 8));
        from_right += 1;
    }
    words
}

/// Adds two words of eight decimal digit values (one per byte, most
/// significant first) and a carry in, returning the eight digits of the sum
/// and the carry out. Each byte is biased by 246 so that a digit sum of ten
/// or more carries into the next byte exactly as a decimal carry would; the
/// bytes that did not carry then take the bias back off (they hold at least
/// 246, so nothing borrows).
fn add_decimal_words(a: u64, b: u64, carry_in: u64) -> (u64, u64) {
    const BIAS: u64 = 0xF6F6_F6F6_F6F6_F6F6;
    let wide = u128::from(a) + u128::from(b) + u128::from(BIAS) + u128::from(carry_in);
    let biased = wide as u64;
    let carry_out = (wide >> 64) as u64;
    let carried_into = (biased ^ a ^ b ^ BIAS) & BYTE_LOW_BITS;
    let carried_out_of = carried_into >> 8 | carry_out << 56;
    let unbias = (!carried_out_of & BYTE_LOW_BITS) * 0xF6;
    (biased - unbias, carry_out)
}

/// `low + addend`, both [`digit_words`]; `None` if the sum has more than
/// 32 digits.
fn add_low_digits(low: &[u64; 4], addend: &[u64; 4]) -> Option<[u64; 4]> {
    let mut sum = [0; 4];
    let mut carry = 0;
    for ((total, a), b) in sum.iter_mut().zip(low).zip(addend).rev() {
        (*total, carry) = add_decimal_words(*a, *b, carry);
    }
    (carry == 0).then_some(sum)
}

/// A sequence number with its text and its low digits, so that the next
/// record's (of the same second or the next, [`SequenceNumber::step_to`])
/// is formatted by adding to those digits and rewriting only them in a copy
/// of the text, and the same number's text is copied rather than formatted
/// again: a shard keeps the last it wrote (PutRecord answers with it, and a
/// reader at the tip reads it), and a read keeps the last it returned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct LastDigits(Option<LastNumber>);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct LastNumber {
    number: SequenceNumber,
    /// The text's last 32 digits, as [`digit_words`].
    low: [u64; 4],
    text: SequenceNumberText,
}

impl LastNumber {
    fn formatted(number: SequenceNumber) -> Self {
        let digits = number.to_digits();
        LastNumber { number, low: digits.low_words(), text: digits.to_text() }
    }

    /// Moves on to `number`, in place, if it is one [`SequenceNumber::step_to`]
    /// reaches and the addition stays within the low 32 digits (it carries
    /// out of them once in about 80 million records); `false`, and perhaps
    /// a spoilt text, if not.
    fn advance(&mut self, number: SequenceNumber) -> bool {
        let Some(addend) = self.number.step_to(&number) else { return false };
        let Some(low) = add_low_digits(&self.low, addend) else { return false };
        let Some(high_len) = self.text.len().checked_sub(32) else { return false };
        let mut ascii = crate::ascii::Buffer::<32>::new();
        for (chunk, word) in ascii.0.chunks_exact_mut(8).zip(low) {
            chunk.copy_from_slice(&(word + ASCII_ZEROS).to_be_bytes());
        }
        self.text.truncate(high_len);
        if self.text.try_push_str(crate::ascii::text(&ascii.0)).is_err() {
            return false;
        }
        (self.number, self.low) = (number, low);
        true
    }
}

impl LastDigits {
    /// `number`'s text if it is the last.
    pub(crate) fn text(&self, number: &SequenceNumber) -> Option<&SequenceNumberText> {
        self.0.as_ref().filter(|last| last.number == *number).map(|last| &last.text)
    }

    /// Makes `number` the last: in place when it is the last or the one
    /// after, formatted afresh otherwise (kept where it is, because copying
    /// a whole number in and out cost as much as adding to it).
    pub(crate) fn keep(&mut self, number: SequenceNumber) -> &SequenceNumberText {
        let kept = match &mut self.0 {
            Some(last) => last.number == number || last.advance(number),
            None => false,
        };
        if !kept {
            self.0 = None;
        }
        &self.0.get_or_insert_with(|| LastNumber::formatted(number)).text
    }

    /// `number`'s text — this one's, `also`'s, the next after this one, or
    /// formatted afresh — kept as the last (unless it was `also`'s).
    pub(crate) fn text_of(&mut self, number: SequenceNumber, also: Option<&LastDigits>) -> SequenceNumberText {
        // Not kept as this one's last when it is `also`'s: `also` is a
        // shard's newest record, so no read asks for one after it (and if
        // one did, its digits would be formatted afresh, the same).
        match also.and_then(|also| also.text(&number)) {
            Some(text) if self.text(&number).is_none() => *text,
            _ => *self.keep(number),
        }
    }
}

impl core::fmt::Debug for SequenceDigits {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(self.as_str(), f)
    }
}

/// Just enough of a 192-bit unsigned integer for sequence numbers: shifting
/// fields in and out, and decimal conversion.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct U192([u64; 3]);

impl U192 {
    /// `self = self << bits | value` (bits ≤ 64; overflow is discarded).
    fn push(&mut self, bits: u32, value: u64) {
        let [hi, mid, lo] = self.0;
        let value = if bits == 64 { value } else { value & ((1 << bits) - 1) };
        self.0 = if bits == 64 {
            [mid, lo, value]
        } else {
            [hi << bits | mid >> (64 - bits), mid << bits | lo >> (64 - bits), lo << bits | value]
        };
    }

    /// Takes the low `bits` bits off.
    fn pop(&mut self, bits: u32) -> u64 {
        let [hi, mid, lo] = self.0;
        if bits == 64 {
            self.0 = [0, hi, mid];
            return lo;
        }
        let value = lo & ((1 << bits) - 1);
        self.0 = [hi >> bits, mid >> bits | hi << (64 - bits), lo >> bits | mid << (64 - bits)];
        value
    }

    fn is_zero(&self) -> bool {
        self.0 == [0; 3]
    }

    fn to_digits(self) -> SequenceDigits {
        // Divide by 10^9 over 32-bit limbs: every step is a u64 division by a
        // constant, which compiles to multiplications (u128 division does not).
        const CHUNK: u64 = 1_000_000_000;
        let mut limbs = [0u32; 6];
        for (i, limb) in self.0.iter().enumerate() {
            limbs[2 * i] = (limb >> 32) as u32;
            limbs[2 * i + 1] = *limb as u32;
        }
        // 2^192 < 10^58: at most seven chunks of nine digits, least
        // significant first, each written into its own nine bytes from the right.
        let mut digits = [b'0'; DIGITS_LEN];
        let mut end = digits.len();
        // Leading limbs become zero as the number shrinks; they are skipped.
        let mut first = limbs.iter().position(|l| *l != 0).unwrap_or(limbs.len());
        loop {
            let mut rem = 0u64;
            for limb in limbs[first..].iter_mut() {
                let acc = rem << 32 | u64::from(*limb);
                *limb = (acc / CHUNK) as u32;
                rem = acc % CHUNK;
            }
            while first < limbs.len() && limbs[first] == 0 {
                first += 1;
            }
            let start = write_digits(&mut digits[end - 9..end], rem) + end - 9;
            if first == limbs.len() {
                return SequenceDigits { buffer: digits, start: start as u8 };
            }
            end -= 9;
        }
    }

    fn from_decimal(text: &str) -> Option<Self> {
        if text.is_empty() || (text.len() > 1 && text.starts_with('0')) {
            return None;
        }
        let mut n = U192::default();
        for b in text.bytes() {
            let digit = b.checked_sub(b'0').filter(|d| *d < 10)?;
            let mut carry = u128::from(digit);
            for limb in n.0.iter_mut().rev() {
                let acc = u128::from(*limb) * 10 + carry;
                *limb = acc as u64;
                carry = acc >> 64;
            }
            if carry != 0 {
                return None;
            }
        }
        Some(n)
    }
}

/// Where a shard iterator points: decoded from the opaque string AWS-style
/// clients pass back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IteratorPosition {
    pub created_at: SimTime,
    pub stream: String,
    /// Distinguishes a stream from an older one of the same name.
    pub incarnation: u64,
    pub shard: u32,
    /// The index of the next record to read.
    pub next_index: u64,
}

/// AWS's iterators start with `AAAAAAAAAA`: seven zero bytes, then (here)
/// the layout's version.
const ITERATOR_PREFIX: [u8; 8] = [0, 0, 0, 0, 0, 0, 0, 3];
/// Iterators of the earlier layouts are still read, so that a playground
/// saved with them in local storage replays, and move on in the current
/// one. The second put the created time and next index in the header and
/// one check after the name; the first did not pad the name, and its check
/// was FNV-1a.
const ITERATOR_PREFIX_2: [u8; 8] = [0, 0, 0, 0, 0, 0, 0, 2];
const ITERATOR_PREFIX_1: [u8; 8] = [0, 0, 0, 0, 0, 0, 0, 1];
/// The key of iterators' checks (they are not tied to an engine's seed:
/// AWS's work across clients).
const CHECK_KEY: u64 = 0x4b69_6e65_7369_7321;

impl IteratorPosition {
    pub fn encode(&self) -> String {
        self.fields().encode()
    }

    /// `None` for anything this engine did not issue (AWS: "Invalid ShardIterator.").
    pub fn decode(text: &str) -> Option<Self> {
        let mut buffer = IteratorBuffer::default();
        let (fields, _) = IteratorFields::decode(text, &mut buffer)?;
        Some(IteratorPosition {
            created_at: fields.created_at,
            stream: String::from(fields.stream),
            incarnation: fields.incarnation,
            shard: fields.shard,
            next_index: fields.next_index,
        })
    }

    fn fields(&self) -> IteratorFields<'_> {
        IteratorFields {
            created_at: self.created_at,
            stream: &self.stream,
            incarnation: self.incarnation,
            shard: self.shard,
            next_index: self.next_index,
        }
    }
}

/// An [`IteratorPosition`] whose stream name is borrowed, so that
/// GetRecords reads one iterator and issues the next without copying it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct IteratorFields<'a> {
    pub created_at: SimTime,
    pub stream: &'a str,
    pub incarnation: u64,
    pub shard: u32,
    pub next_index: u64,
}

/// How to reissue an iterator of the current layout: its text up to the
/// tail stays, and the tail's check starts from a digest of the bytes
/// before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Resume {
    fixed_digest: u64,
    fixed_chars: usize,
}

/// Room to decode the largest iterator (base64 decoding of the first
/// layout needs up to two spare bytes).
#[derive(Clone, Debug)]
pub(crate) struct IteratorBuffer {
    bytes: [u8; ITERATOR_MAX + 3],
}

impl Default for IteratorBuffer {
    fn default() -> Self {
        IteratorBuffer { bytes: [0; ITERATOR_MAX + 3] }
    }
}

impl Resume {
    /// How to reissue an iterator whose unchanging part is `fixed`.
    fn of(fixed: &[u8]) -> Self {
        Resume {
            fixed_digest: u64::from_be_bytes(token::check(CHECK_KEY, fixed)),
            fixed_chars: token::encoded_len(fixed.len()),
        }
    }
}

/// An iterator's tail: the created time and next index, and a check of
/// them keyed by the digest of the rest.
fn tail(fixed_digest: u64, created_at: SimTime, next_index: u64) -> [u8; ITERATOR_TAIL] {
    let mut tail = [0; ITERATOR_TAIL];
    tail[..8].copy_from_slice(&created_at.as_millis().to_be_bytes());
    tail[8..16].copy_from_slice(&next_index.to_be_bytes());
    let check = token::check(CHECK_KEY ^ fixed_digest, &tail[..16]);
    tail[16..].copy_from_slice(&check);
    tail
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_be_bytes(bytes[at..at + 8].try_into().unwrap_or_default())
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap_or_default())
}

impl<'a> IteratorFields<'a> {
    pub(crate) fn encode(&self) -> String {
        self.encode_resumable().0
    }

    /// The iterator's text, and how to reissue it.
    pub(crate) fn encode_resumable(&self) -> (String, Resume) {
        // Stream names are at most 128 bytes, so the name always fits.
        let name = &self.stream.as_bytes()[..self.stream.len().min(255)];
        let fixed = fixed_len(name.len());
        let len = fixed + ITERATOR_TAIL;
        let mut bytes = [0u8; ITERATOR_MAX];
        bytes[..8].copy_from_slice(&ITERATOR_PREFIX);
        bytes[8..16].copy_from_slice(&self.incarnation.to_be_bytes());
        bytes[16..20].copy_from_slice(&self.shard.to_be_bytes());
        bytes[20] = name.len() as u8;
        bytes[ITERATOR_HEAD..ITERATOR_HEAD + name.len()].copy_from_slice(name);
        let resume = Resume::of(&bytes[..fixed]);
        bytes[fixed..len].copy_from_slice(&tail(resume.fixed_digest, self.created_at, self.next_index));
        let mut text = [0u8; token::encoded_len(ITERATOR_MAX)];
        let text = &mut text[..token::encoded_len(len)];
        token::encode_groups(&bytes[..len], text);
        (ascii_string(text), resume)
    }

    /// The iterator `text` issued again with these fields, which differ
    /// from those it was decoded to at most in the created time and next
    /// index — what [`IteratorFields::encode_resumable`] gives, but when
    /// `text` is of the current layout (`resume` says how) only its tail is
    /// encoded, into `text`'s own allocation: GetRecords does this on every
    /// call.
    pub(crate) fn reissue(&self, text: String, resume: Option<Resume>) -> (String, Resume) {
        let Some(resume) = resume.filter(|r| text.is_char_boundary(r.fixed_chars)) else {
            return self.encode_resumable();
        };
        let mut chars = ascii::Buffer::<{ token::encoded_len(ITERATOR_TAIL) }>::new();
        token::encode_groups(&tail(resume.fixed_digest, self.created_at, self.next_index), &mut chars.0);
        let mut text = text;
        text.truncate(resume.fixed_chars);
        text.push_str(ascii::text(&chars.0));
        (text, resume)
    }

    /// `None` for anything this engine did not issue; for an iterator of the
    /// current layout, also how to reissue it.
    pub(crate) fn decode(text: &str, buffer: &'a mut IteratorBuffer) -> Option<(Self, Option<Resume>)> {
        let len = text.len() / 4 * 3;
        if len > ITERATOR_MAX {
            return None;
        }
        let grouped = token::decode_groups(text.as_bytes(), &mut buffer.bytes[..len]).is_some();
        if grouped && buffer.bytes[..len].starts_with(&ITERATOR_PREFIX) {
            return Self::read_current_layout(&buffer.bytes[..len]);
        }
        let bytes = &buffer.bytes[..len];
        let body_len = if grouped && bytes.starts_with(&ITERATOR_PREFIX_2) {
            let (body, check) = bytes.split_at(len.checked_sub(8)?);
            let name_len = usize::from(*body.get(36)?);
            let padding = body.get(OLD_ITERATOR_HEADER + name_len..)?;
            let valid = len == old_padded_len(name_len)
                && padding.iter().all(|b| *b == 0)
                && *check == token::check(CHECK_KEY, body);
            if !valid {
                return None;
            }
            OLD_ITERATOR_HEADER + name_len
        } else {
            decode_first_layout(text, &mut buffer.bytes)?
        };
        Some((Self::read_old_layout(&buffer.bytes[..body_len])?, None))
    }

    /// The fields of an iterator of the current layout, if its check holds.
    fn read_current_layout(bytes: &'a [u8]) -> Option<(Self, Option<Resume>)> {
        let name_len = usize::from(*bytes.get(20)?);
        let fixed = fixed_len(name_len);
        if bytes.len() != fixed + ITERATOR_TAIL || bytes[ITERATOR_HEAD + name_len..fixed].iter().any(|b| *b != 0) {
            return None;
        }
        let fields = IteratorFields {
            created_at: SimTime(u64_at(bytes, fixed)),
            stream: core::str::from_utf8(&bytes[ITERATOR_HEAD..ITERATOR_HEAD + name_len]).ok()?,
            incarnation: u64_at(bytes, 8),
            shard: u32_at(bytes, 16),
            next_index: u64_at(bytes, fixed + 8),
        };
        let resume = Resume::of(&bytes[..fixed]);
        (bytes[fixed..] == tail(resume.fixed_digest, fields.created_at, fields.next_index))
            .then_some((fields, Some(resume)))
    }

    /// The fields in the header and name of an iterator of an earlier layout.
    fn read_old_layout(bytes: &'a [u8]) -> Option<Self> {
        Some(IteratorFields {
            created_at: SimTime(u64_at(bytes, 8)),
            incarnation: u64_at(bytes, 16),
            shard: u32_at(bytes, 24),
            next_index: u64_at(bytes, 28),
            stream: core::str::from_utf8(bytes.get(OLD_ITERATOR_HEADER..)?).ok()?,
        })
    }
}

/// The iterators GetRecords issued last, decoded.
///
/// GetRecords is usually handed the iterator the previous GetRecords on that
/// shard returned, and decoding one (base64, check, name) cost more than the
/// rest of a small read. An iterator's fields depend on its text alone (the
/// check's key is fixed), so this is a memo of [`IteratorFields::decode`]:
/// a hit gives exactly what decoding would.
#[derive(Clone, Debug, Default)]
pub(crate) struct IteratorMemo {
    entries: Vec<MemoEntry>,
    /// Where the next remembered iterator goes once all slots are used.
    next: usize,
}

/// Enough for a few consumers reading a few shards each, in turn.
const MEMO_SLOTS: usize = 8;

#[derive(Clone, Debug)]
struct MemoEntry {
    text: [u8; token::encoded_len(ITERATOR_MAX)],
    text_len: usize,
    /// The stream's own name: a hit lends it, where decoding would check
    /// the name's bytes as UTF-8.
    stream: StreamName,
    created_at: SimTime,
    incarnation: u64,
    shard: u32,
    next_index: u64,
    resume: Resume,
}

impl IteratorMemo {
    /// Decodes `text` (into `buffer`, unless it was issued lately). The
    /// newest entries are tried first: a consumer usually hands back the
    /// iterator it was just given.
    pub(crate) fn decode<'a>(
        &'a self,
        text: &str,
        buffer: &'a mut IteratorBuffer,
    ) -> Option<(IteratorFields<'a>, Option<Resume>)> {
        // Slots before `next` were filled last, those from `next` on a round before.
        let (newer, older) = self.entries.split_at(self.next.min(self.entries.len()));
        let Some(hit) = newer.iter().rev().chain(older.iter().rev()).find(|e| e.text[..e.text_len] == *text.as_bytes())
        else {
            return IteratorFields::decode(text, buffer);
        };
        let fields = IteratorFields {
            created_at: hit.created_at,
            stream: &hit.stream,
            incarnation: hit.incarnation,
            shard: hit.shard,
            next_index: hit.next_index,
        };
        Some((fields, Some(hit.resume)))
    }

    /// Remembers `text`, just issued for `fields` of `stream` (whose name
    /// they borrow) by [`IteratorFields::reissue`], which gave `resume`.
    pub(crate) fn remember(&mut self, text: &str, stream: &StreamName, fields: &IteratorFields<'_>, resume: Resume) {
        if text.len() > token::encoded_len(ITERATOR_MAX) {
            return;
        }
        if self.entries.len() < MEMO_SLOTS {
            self.entries.push(MemoEntry {
                text: [0; token::encoded_len(ITERATOR_MAX)],
                text_len: 0,
                stream: stream.clone(),
                created_at: fields.created_at,
                incarnation: fields.incarnation,
                shard: fields.shard,
                next_index: fields.next_index,
                resume,
            });
        }
        let Some(entry) = self.entries.get_mut(self.next) else { return };
        entry.text[..text.len()].copy_from_slice(text.as_bytes());
        entry.text_len = text.len();
        if !StreamName::ptr_eq(&entry.stream, stream) {
            entry.stream = stream.clone();
        }
        entry.created_at = fields.created_at;
        entry.incarnation = fields.incarnation;
        entry.shard = fields.shard;
        entry.next_index = fields.next_index;
        entry.resume = resume;
        self.next = (self.next + 1) % MEMO_SLOTS;
    }
}

/// Reads an iterator of the first layout into `bytes`; returns the length
/// of its header and name.
fn decode_first_layout(text: &str, bytes: &mut [u8]) -> Option<usize> {
    let len = base64::engine::general_purpose::STANDARD.decode_slice(text, bytes).ok()?;
    let (body, check) = bytes[..len].split_at(len.checked_sub(8)?);
    let name_len = usize::from(*body.get(36)?);
    let valid = body[..8] == ITERATOR_PREFIX_1
        && *check == token::first_layout_check(0, body)
        && body.len() == OLD_ITERATOR_HEADER + name_len;
    valid.then_some(body.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The low 32 digits of `number`'s text, as a number.
    fn low_of(number: &SequenceNumber) -> u128 {
        let text = number.to_decimal();
        text[text.len().saturating_sub(32)..].parse().unwrap()
    }

    proptest! {
        #[test]
        fn the_next_records_text_is_its_own(
            created in 0u64..(1 << 36),
            shard in any::<u32>(),
            index in 0u64..u64::MAX,
            arrival in 0u64..(1 << 36),
        ) {
            let this = SequenceNumber { shard_created_secs: created, shard, index, arrival_secs: arrival };
            let last = LastNumber::formatted(this);
            prop_assert_eq!(last.text.as_str(), this.to_decimal());
            let next = SequenceNumber { index: index + 1, ..this };
            let next_second = SequenceNumber { arrival_secs: (arrival + 1) & SECS_MASK, ..next };
            for (following, step) in [(next, 1u128 << 80), (next_second, (1 << 80) + (1 << 36))] {
                let stays_low = low_of(&this) + step < 10u128.pow(32);
                let reachable = following.arrival_secs >= arrival;
                let expected = (stays_low && reachable).then(|| LastNumber::formatted(following));
                let mut moved = last;
                prop_assert_eq!(moved.advance(following).then_some(moved), expected);
            }
            let later = SequenceNumber { arrival_secs: (arrival + 2) & SECS_MASK, ..next };
            prop_assert!(!{ last }.advance(later), "two seconds on");
            let earlier = SequenceNumber { arrival_secs: arrival.wrapping_sub(1) & SECS_MASK, ..next };
            prop_assert!(!{ last }.advance(earlier), "a second back");
            prop_assert!(!{ last }.advance(SequenceNumber { index: index + 2, ..this }), "a record skipped");
        }
    }

    #[test]
    fn a_carry_out_of_the_low_digits_formats_afresh() {
        let created = SimTime(1_767_225_600_000);
        let this = SequenceNumber::new(created, 1, 5, created);
        let next = SequenceNumber { index: 6, ..this };
        // As if the low 32 digits were all nines: adding 2^80 carries out of them.
        let nines = LastNumber { low: digit_words(&[b'9'; 32]), ..LastNumber::formatted(this) };
        assert!(!{ nines }.advance(next));
        let mut last = LastDigits(Some(nines));
        assert_eq!(last.text_of(next, None).as_str(), next.to_decimal());
        assert_eq!(last, LastDigits(Some(LastNumber::formatted(next))));
        // And the record after that adds again.
        let after = SequenceNumber { index: 7, ..next };
        assert_eq!(last.text_of(after, None).as_str(), after.to_decimal());
    }

    /// Schoolbook decimal addition, the reference for `add_low_digits`.
    fn added(a: &str, b: &str) -> String {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        let mut digits = Vec::new();
        let mut carry = 0;
        for i in 0..a.len().max(b.len()) {
            let digit = |s: &[u8]| if i < s.len() { s[s.len() - 1 - i] - b'0' } else { 0 };
            let total = digit(a) + digit(b) + carry;
            digits.push(b'0' + total % 10);
            carry = total / 10;
        }
        if carry > 0 {
            digits.push(b'1');
        }
        while digits.len() > 1 && digits.last() == Some(&b'0') {
            digits.pop();
        }
        digits.iter().rev().map(|d| char::from(*d)).collect()
    }

    proptest! {
        #[test]
        fn adding_eight_digits_at_a_time_matches_schoolbook_addition(
            number in "[0-9]{1,32}|9{1,32}",
            addend in "[0-9]{1,32}|9{1,32}",
        ) {
            let sum = add_low_digits(&digit_words(number.as_bytes()), &digit_words(addend.as_bytes()));
            let expected = added(&number, &addend);
            prop_assert_eq!(sum, (expected.len() <= 32).then(|| digit_words(expected.as_bytes())));
        }
    }

    #[test]
    fn carries_run_through_every_word_or_out() {
        let nines = [b'9'; 31];
        let mut power = [b'0'; 32];
        power[0] = b'1';
        assert_eq!(add_low_digits(&digit_words(&nines), &digit_words(b"1")), Some(digit_words(&power)));
        assert_eq!(add_low_digits(&digit_words(&[b'9'; 32]), &digit_words(b"1")), None);
        assert_eq!(add_low_digits(&digit_words(b"0"), &digit_words(b"0")), Some([0; 4]));
        assert_eq!(add_low_digits(&digit_words(b"5"), &digit_words(b"5")), Some(digit_words(b"10")));
    }

    #[test]
    fn the_iterator_memo_gives_what_decoding_gives() {
        let mut memo = IteratorMemo::default();
        let stream = StreamName::from("clicks");
        let first =
            IteratorFields { created_at: SimTime(1_000), stream: &stream, incarnation: 2, shard: 3, next_index: 4 };
        let mut texts = alloc::vec![first.encode()];
        // Reissued ten times, more than the memo holds.
        for i in 0..10u64 {
            let mut buffer = IteratorBuffer::default();
            let text = texts.last().unwrap().clone();
            let (fields, resume) = memo.decode(&text, &mut buffer).unwrap();
            assert!(resume.is_some(), "the current layout resumes");
            let next = IteratorFields { created_at: SimTime(2_000 + i), next_index: 5 + i, ..fields };
            let (text, resume) = next.reissue(text, resume);
            let next = IteratorFields { stream: &stream, ..next };
            memo.remember(&text, &stream, &next, resume);
            texts.push(text);
        }
        for text in &texts {
            let mut from_memo = IteratorBuffer::default();
            let mut decoded = IteratorBuffer::default();
            let expected = IteratorFields::decode(text, &mut decoded);
            assert!(expected.is_some());
            assert_eq!(memo.decode(text, &mut from_memo), expected);
        }
        let last = texts.last().unwrap();
        assert_eq!(IteratorPosition::decode(last).unwrap().next_index, 14);
        let mut tampered = last.clone().into_bytes();
        tampered[20] = if tampered[20] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert_eq!(memo.decode(&tampered, &mut IteratorBuffer::default()), None);
        assert_eq!(memo.decode("garbage", &mut IteratorBuffer::default()), None);
    }

    #[test]
    fn even_ranges_match_aws() {
        let two = even_ranges(2);
        assert_eq!(two[0], (0, 170141183460469231731687303715884105727));
        assert_eq!(two[1], (170141183460469231731687303715884105728, u128::MAX));
        let three = even_ranges(3);
        assert_eq!(three[0].1 + 1, three[1].0);
        assert_eq!(three[2].1, u128::MAX);
        assert_eq!(even_ranges(1), [(0, u128::MAX)]);
    }

    #[test]
    fn partition_key_one_lands_in_the_fourth_of_four_shards() {
        let key = hash_key_of("1");
        assert_eq!(key, 261578874264819908609102035485573088411);
        let shard = even_ranges(4).iter().position(|(s, e)| (*s..=*e).contains(&key));
        assert_eq!(shard, Some(3));
    }

    #[test]
    fn hash_keys_parse_strictly() {
        assert_eq!(parse_hash_key("0"), Some(0));
        assert_eq!(parse_hash_key("340282366920938463463374607431768211455"), Some(u128::MAX));
        assert_eq!(parse_hash_key("340282366920938463463374607431768211456"), None);
        assert_eq!(parse_hash_key("01"), None);
        assert_eq!(parse_hash_key("-1"), None);
        assert_eq!(parse_hash_key(""), None);
    }

    #[test]
    fn sequence_numbers_round_trip_and_look_like_aws() {
        let created = SimTime(1_767_225_600_000);
        let seq = SequenceNumber::new(created, 3, 42, SimTime(1_767_225_660_000));
        let text = seq.to_decimal();
        assert_eq!(text.len(), 56, "{text}");
        assert!(text.starts_with("49"), "{text}");
        assert_eq!(SequenceNumber::parse(&text), Some(seq));
        assert_eq!(SequenceNumber::parse("12345"), None);
        assert_eq!(SequenceNumber::parse("garbage"), None);
    }

    #[test]
    fn decimals_match_core_formatting_and_parse_back() {
        use alloc::string::ToString;
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            state
        };
        let mut values = alloc::vec![[0, 0, 0], [0, 0, 9], [0, 0, 10], [0, 0, 99], [0, 0, 100], [0, 0, 999_999_999]];
        values.extend([[0, 0, 1_000_000_000], [0, 0, u64::MAX], [0, 1, 0], [u64::MAX; 3], [1, 0, 0]]);
        for _ in 0..2_000 {
            let (a, b, c) = (next(), next(), next());
            values.extend([[0, 0, c >> (a % 64)], [0, b >> (a % 64), c], [a >> (b % 64), b, c]]);
        }
        for limbs in values {
            let n = U192(limbs);
            let text = n.to_digits().as_str().to_string();
            assert!(text == "0" || !text.starts_with('0'), "{text}");
            assert_eq!(U192::from_decimal(&text), Some(n), "{text}");
            if limbs[0] == 0 {
                assert_eq!(text, (u128::from(limbs[1]) << 64 | u128::from(limbs[2])).to_string());
            }
        }
    }

    #[test]
    fn shard_ids_are_zero_padded_to_twelve_digits() {
        assert_eq!(shard_id(0), "shardId-000000000000");
        assert_eq!(shard_id(7), "shardId-000000000007");
        assert_eq!(shard_id(42), "shardId-000000000042");
        assert_eq!(shard_id(123), "shardId-000000000123");
        assert_eq!(shard_id(u32::MAX), "shardId-004294967295");
    }

    #[test]
    fn sequence_numbers_increase_within_a_shard() {
        let created = SimTime(1_767_225_600_000);
        let mut previous = SequenceNumber::new(created, 0, 0, created).to_decimal();
        for index in 1..200u64 {
            let arrival = SimTime(created.0 + (200 - index) * 1000);
            let next = SequenceNumber::new(created, 0, index, arrival).to_decimal();
            assert!((next.len(), &next) > (previous.len(), &previous));
            previous = next;
        }
    }

    #[test]
    fn reissued_iterators_equal_fresh_ones() {
        // Every alignment of the name against base64's groups.
        for name_len in 1..=12 {
            let name: String = (0..name_len).map(|i| char::from(b'a' + i as u8)).collect();
            let old = IteratorFields {
                created_at: SimTime(1_767_225_600_000),
                stream: &name,
                incarnation: 7,
                shard: 2,
                next_index: 99,
            };
            let (text, issued) = old.encode_resumable();
            let mut buffer = IteratorBuffer::default();
            assert_eq!(IteratorFields::decode(&text, &mut buffer), Some((old, Some(issued))));
            let next =
                IteratorFields { created_at: SimTime(1_767_225_612_345), next_index: 0x0102_0304_0506_0708, ..old };
            let fresh = next.encode_resumable();
            assert_eq!(next.reissue(text, Some(issued)), fresh, "name of {name_len}");
            assert_eq!(IteratorFields::decode(&fresh.0, &mut buffer), Some((next, Some(fresh.1))));
        }
    }

    /// An iterator of an earlier layout, `text`, reads as `old` and moves on
    /// in the current layout; a character changed makes it unreadable.
    fn moves_on_from_an_earlier_layout(text: &str, old: IteratorFields<'_>) {
        let mut buffer = IteratorBuffer::default();
        assert_eq!(IteratorFields::decode(text, &mut buffer), Some((old, None)));
        let next = IteratorFields { created_at: SimTime(1_767_225_601_000), next_index: 100, ..old };
        let (moved, resume) = next.reissue(text.into(), None);
        assert_eq!((moved.as_str(), resume), (next.encode_resumable().0.as_str(), next.encode_resumable().1));
        assert!(moved.starts_with("AAAAAAAAAAM"), "{moved}");
        let mut tampered = String::from(text);
        tampered.replace_range(30..31, if &text[30..31] == "B" { "C" } else { "B" });
        assert_eq!(IteratorPosition::decode(&tampered), None);
    }

    const ORDERS_99: IteratorFields<'static> = IteratorFields {
        created_at: SimTime(1_767_225_600_000),
        stream: "orders",
        incarnation: 7,
        shard: 2,
        next_index: 99,
    };

    #[test]
    fn iterators_of_the_first_layout_still_read_and_move_on() {
        moves_on_from_an_earlier_layout(
            "AAAAAAAAAAEAAAGbdtqoAAAAAAAAAAAHAAAAAgAAAAAAAABjBm9yZGVyc2rI+w+JDWkP",
            ORDERS_99,
        );
    }

    #[test]
    fn iterators_of_the_second_layout_still_read_and_move_on() {
        moves_on_from_an_earlier_layout(
            "AAAAAAAAAAIAAAGbdtqoAAAAAAAAAAAHAAAAAgAAAAAAAABjBm9yZGVycx97S5UUWYIF",
            ORDERS_99,
        );
    }

    #[test]
    fn iterators_round_trip_and_reject_tampering() {
        let position = IteratorPosition {
            created_at: SimTime(1_767_225_600_000),
            stream: "orders".into(),
            incarnation: 7,
            shard: 2,
            next_index: 99,
        };
        let text = position.encode();
        assert_eq!(IteratorPosition::decode(&text), Some(position));
        let mut tampered = text.into_bytes();
        tampered[20] = if tampered[20] == b'A' { b'B' } else { b'A' };
        assert_eq!(IteratorPosition::decode(&String::from_utf8(tampered).unwrap()), None);
        assert_eq!(IteratorPosition::decode("not an iterator"), None);
    }
}
