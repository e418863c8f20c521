//! Engine benchmarks.
//!
//! 1. `cycle`: SendMessage -> ReceiveMessage -> DeleteMessage on one standard
//!    queue with a 200-byte body, beside two baselines with std collections,
//!    so the engine's overhead reads as a ratio. All start from an owned body,
//!    as the engine's API receives it.
//!    - `baseline_md5_vecdeque_hashmap`: the irreducible storage work (MD5 of
//!      the body, a VecDeque push/pop, a HashMap insert/remove).
//!    - `baseline_with_response_fields`: the same, plus what AWS's responses
//!      require beyond storing the message, each done as cheaply as std
//!      allows: SendMessage returns a MessageId and MD5OfMessageBody (hex);
//!      ReceiveMessage returns the MessageId, a ReceiptHandle, MD5OfBody and
//!      a copy of the Body (the queue keeps the message while it is in flight,
//!      to deliver it again if it is not deleted); DeleteMessage parses the
//!      handle back to find the message.
//!
//!    Batching moves the ratio a little: measured on one machine in one
//!    sitting (an earlier build), 1.89–1.96× with criterion's `SmallInput`
//!    batches (used here) and 1.83–1.87× with batches of 1,000.
//!
//!    The host moves it more. A neighbour busy with memory (a second copy of
//!    this loop on the other vCPU) slowed the engine by a third and the
//!    baseline not at all: the baseline's time is MD5's chain of dependent
//!    additions, which waits on nothing outside the core, while the engine's
//!    other work is many short steps over more memory. So on a shared host
//!    single readings run from the quiet figure up to 2.5×. On 2026-11-28,
//!    timed by hand in batches of 2,000 fresh requests (criterion's run from
//!    a few hundred to tens of thousands; see the Kinesis bench), engine and
//!    baseline back to back in each round, four sittings of 150 rounds,
//!    the quietest rounds read 1.56–1.59× and the quiet medians 1.68× (the
//!    build before, alternated with it: 1.65–1.72× and 1.78–1.80×);
//!    criterion's medians that day, noisy, were 1.74–2.25× (median 1.93×)
//!    against 1.88–2.17× (1.96×). Callgrind counts 7,555 instructions per
//!    cycle (the baseline 3,178; MD5 of the body 2,594 of each).
//! 2. `expire_in_flight`: one `advance_by` that ends the visibility timeout of
//!    N in-flight messages, N = 10,000 and 100,000, reported per message;
//!    beside it the same expiry with std collections (a binary heap of
//!    deadlines, boxed messages, an ordered set of visible ones), whose cost
//!    per message grows with N as the memory hierarchy makes it.
//!
//!    The engine's cost per message is flat: it walks only memory laid out
//!    in the order the expiries come (a FIFO lane of deadlines, their slab
//!    slots, the queue's message slots with each state beside its boxed
//!    message, the visible bitmap, the event ring), so the prefetcher keeps
//!    up at any N. Measured in one sitting (2026-11-28), two rounds: the
//!    engine 61–63 ns at 10k and 64–66 ns at 100k; the std version 132–168
//!    and 185–263 ns. The previous build, which read each message's box and
//!    sifted a heap, read 270–273 and 403–452 ns.
//!
//! Run with `cargo bench -p decouple-engine --bench sqs`.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap, VecDeque};
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use decouple_engine::sqs::{
    CreateQueue, DeleteMessage, Receive, ReceiveMessage, SendMessage, SendMessageBatch, SendMessageBatchEntry,
};
use decouple_engine::{Engine, EngineConfig, SimDuration};
use md5::{Digest, Md5};

const BODY_LEN: usize = 200;

fn body() -> String {
    (0..BODY_LEN).map(|i| char::from(b'a' + (i % 26) as u8)).collect()
}

fn engine_with_queue(visibility_timeout: &str) -> (Engine, String) {
    let mut engine = Engine::new(EngineConfig::default());
    let attributes = [("VisibilityTimeout".to_string(), visibility_timeout.to_string())].into();
    let url = engine
        .sqs()
        .create_queue(CreateQueue { queue_name: "bench".into(), attributes, ..Default::default() })
        .expect("create queue")
        .queue_url;
    (engine, url)
}

fn cycle(c: &mut Criterion) {
    let mut group = c.benchmark_group("cycle");
    group.throughput(Throughput::Elements(1));

    let (mut engine, url) = engine_with_queue("30");
    let body = body();
    let receive = ReceiveMessage { queue_url: url.clone(), max_number_of_messages: Some(1), ..Default::default() };
    // Requests are built outside the measurement (the caller's work, not the
    // engine's); the DeleteMessage takes the receipt handle by move.
    group.bench_function("engine_send_receive_delete", |b| {
        b.iter_batched(
            || {
                let send = SendMessage { queue_url: url.clone(), message_body: body.clone(), ..Default::default() };
                (send, receive.clone(), url.clone())
            },
            |(send, receive, delete_url)| {
                let mut sqs = engine.sqs();
                let sent = sqs.send_message(send).unwrap();
                let Ok(Receive::Ready(mut got)) = sqs.receive_message(receive) else { panic!("short poll") };
                let message = got.messages.pop().expect("one message");
                debug_assert_eq!(message.message_id, sent.message_id);
                sqs.delete_message(DeleteMessage { queue_url: delete_url, receipt_handle: message.receipt_handle })
                    .unwrap();
            },
            BatchSize::SmallInput,
        )
    });
    assert!(engine.sqs_state().queue_by_name("bench").unwrap().is_empty());

    let mut queue: VecDeque<(u64, String)> = VecDeque::new();
    let mut in_flight: HashMap<u64, String> = HashMap::new();
    let mut next = 0u64;
    group.bench_function("baseline_md5_vecdeque_hashmap", |b| {
        b.iter_batched(
            || body.clone(),
            |owned_body| {
                let digest = Md5::digest(black_box(owned_body.as_bytes()));
                black_box(digest);
                next += 1;
                queue.push_back((next, owned_body));
                let (id, message) = queue.pop_front().unwrap();
                in_flight.insert(id, message);
                black_box(in_flight.remove(&black_box(id)));
            },
            BatchSize::SmallInput,
        )
    });

    let mut queue: VecDeque<(u64, [u8; 16], String)> = VecDeque::new();
    let mut in_flight: HashMap<u64, ([u8; 16], String)> = HashMap::new();
    let mut next = 0u64;
    group.bench_function("baseline_with_response_fields", |b| {
        b.iter_batched(
            || body.clone(),
            |owned_body| {
                // SendMessage.
                let digest: [u8; 16] = Md5::digest(black_box(owned_body.as_bytes())).into();
                next += 1;
                black_box((hex(&u128::from(next).to_be_bytes()), hex(&digest)));
                queue.push_back((next, digest, owned_body));
                // ReceiveMessage.
                let (id, digest, message) = queue.pop_front().unwrap();
                let received =
                    (hex(&u128::from(id).to_be_bytes()), hex(&id.to_be_bytes()), hex(&digest), message.clone());
                in_flight.insert(id, (digest, message));
                // DeleteMessage, by the receipt handle.
                let (_, handle, _, _) = black_box(received);
                let id = u64::from_str_radix(&handle, 16).expect("issued above");
                black_box(in_flight.remove(&id));
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

/// Lower-case hex of up to 32 bytes, without `core::fmt`.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 64];
    for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
        pair.copy_from_slice(&[DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0x0f)]]);
    }
    String::from(std::str::from_utf8(&out[..bytes.len() * 2]).expect("ASCII digits"))
}

/// An engine holding `n` messages, all received at the same instant with a 30-second visibility timeout.
fn in_flight_engine(n: usize) -> Engine {
    let (mut engine, url) = engine_with_queue("30");
    for batch in 0..n / 10 {
        let entries = (0..10)
            .map(|i| SendMessageBatchEntry {
                id: format!("e{i}"),
                message_body: format!("m{batch}-{i}"),
                ..Default::default()
            })
            .collect();
        engine.sqs().send_message_batch(SendMessageBatch { queue_url: url.clone(), entries }).unwrap();
    }
    let receive = ReceiveMessage { queue_url: url, max_number_of_messages: Some(10), ..Default::default() };
    for _ in 0..n / 10 {
        engine.sqs().receive_message(receive.clone()).unwrap();
    }
    let queue = engine.sqs_state().queue_by_name("bench").unwrap();
    assert_eq!(queue.in_flight_count(), n);
    engine
}

fn expire_in_flight(c: &mut Criterion) {
    let mut group = c.benchmark_group("expire_in_flight");
    group.sample_size(10);
    for n in [10_000usize, 100_000] {
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(format!("advance_to/{n}"), |b| {
            b.iter_batched(
                || in_flight_engine(n),
                |mut engine| {
                    let to = engine.now() + SimDuration::from_secs(30);
                    engine.advance_to(to);
                    debug_assert_eq!(engine.sqs_state().queue_by_name("bench").unwrap().visible_count(), n);
                    engine
                },
                BatchSize::PerIteration,
            )
        });
    }
    // Beside it, the irreducible work of the same expiry with std
    // collections, to tell the engine's growth per message from the memory
    // hierarchy's: pop N deadlines from a binary heap in time order and mark
    // each message (boxed, the size of a stored one, each with its own
    // body) visible again in an ordered set.
    for n in [10_000usize, 100_000] {
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(format!("baseline_heap_boxes_btreeset/{n}"), |b| {
            b.iter_batched(
                || {
                    let messages: Vec<Box<([u64; 48], String)>> =
                        (0..n).map(|i| Box::new(([i as u64; 48], format!("m{}-{}", i / 10, i % 10)))).collect();
                    let deadlines: BinaryHeap<Reverse<(u64, usize)>> = (0..n).map(|i| Reverse((30_000, i))).collect();
                    (messages, deadlines, BTreeSet::new())
                },
                |(mut messages, mut deadlines, mut visible)| {
                    while let Some(Reverse((_, i))) = deadlines.pop() {
                        messages[i].0[0] = 0;
                        visible.insert(i);
                    }
                    (messages, visible)
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, cycle, expire_in_flight);
criterion_main!(benches);
