//! Decouple for JavaScript: the engine and its AWS wire layer behind
//! wasm-bindgen, for Node and the browser.
//!
//! `new Engine({seed, accountId, region, startTime})` gives a simulated AWS
//! account on a virtual clock. `engine.dispatch(request)` takes an HTTP request
//! as a plain object (`{method, path, query, headers, body}`) and returns a
//! promise of `{statusCode, headers, body}`; a long poll's promise resolves
//! when the clock is later moved far enough (or a send satisfies it). The
//! hand-written `js/handler.mjs` turns an engine into an AWS SDK v3
//! `requestHandler`.
//!
//! # Layout
//! - this file: the `Engine` class (requests, clock, pending promises);
//! - `convert`: JS request objects in, JS response objects out;
//! - `view`: read-only snapshots and events for UIs (serde-wasm-bindgen).
//!
//! **Invariant:** JavaScript never holds a promise the engine cannot settle:
//! every clock movement and every dispatch hands finished long polls their answers.

mod convert;
mod view;

use alloc::collections::BTreeMap;
use wasm_bindgen::prelude::*;

use decouple_engine::{Engine as Core, SimDuration, SimTime};
use decouple_wire::{Dispatch, Gateway};
use js_sys::{Function, Promise};

extern crate alloc;

/// A simulated AWS account in one region, on a virtual clock.
#[wasm_bindgen]
pub struct Engine {
    engine: Core,
    gateway: Gateway,
    /// The `resolve` functions of promises for requests still pending, by pending id.
    waiting: BTreeMap<u64, Function>,
    /// Body bytes of streaming answers (SubscribeToShard) not yet taken, and
    /// whether each stream has ended, by the id in `x-decouple-event-stream`.
    streams: BTreeMap<u64, (alloc::vec::Vec<u8>, bool)>,
}

#[wasm_bindgen]
impl Engine {
    /// Options (all optional): `seed` (number or BigInt), `accountId`,
    /// `region`, `startTime` (epoch ms, a `Date` or an ISO string),
    /// `eventCapacity`, and `realism` (`{duplicatePerMillion, reorderPerMillion}`).
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Engine, JsError> {
        let config = convert::config(&options)?;
        let engine = Core::new(config);
        let gateway = Gateway::new(&engine);
        Ok(Engine { engine, gateway, waiting: BTreeMap::new(), streams: BTreeMap::new() })
    }

    /// Answers one HTTP request: `{method, path, query, headers, body}` where
    /// `body` is a string or `Uint8Array` and `headers` a plain object (or any
    /// iterable of `[name, value]`). Resolves to `{statusCode, headers, body}`
    /// with lower-case header names and a `Uint8Array` body.
    pub fn dispatch(&mut self, request: JsValue) -> Result<Promise, JsError> {
        let request = convert::request(&request)?;
        let promise = match self.gateway.dispatch(&mut self.engine, &request) {
            Dispatch::Ready(response) => {
                // A streaming answer: its later body is read with `takeStreamChunk`.
                if let Some(id) = response.header(decouple_wire::EVENT_STREAM_HEADER).and_then(|v| v.parse().ok()) {
                    self.streams.insert(id, Default::default());
                }
                Promise::resolve(&convert::response(&response))
            }
            Dispatch::Pending(id) => {
                let mut resolver = None;
                let promise = Promise::new(&mut |resolve, _reject| resolver = Some(resolve));
                if let Some(resolve) = resolver {
                    self.waiting.insert(id.into(), resolve);
                }
                // So that a caller who gives up can `cancel` it (see js/handler.mjs).
                let _ = js_sys::Reflect::set(&promise, &"pendingId".into(), &JsValue::from(u64::from(id) as f64));
                promise
            }
        };
        // A send may have completed a long poll that was waiting.
        self.settle();
        Ok(promise)
    }

    /// Virtual time now, in epoch milliseconds.
    pub fn now(&self) -> f64 {
        self.engine.now().as_millis() as f64
    }

    /// Moves the clock forward by `ms` milliseconds, performing everything due.
    pub fn advance(&mut self, ms: f64) {
        self.engine.advance_by(SimDuration::from_millis(convert::whole(ms)));
        self.settle();
    }

    /// Moves the clock to epoch milliseconds `t` (never backwards).
    #[wasm_bindgen(js_name = advanceTo)]
    pub fn advance_to(&mut self, t: f64) {
        self.engine.advance_to(SimTime::from_millis(convert::whole(t)));
        self.settle();
    }

    /// When the next scheduled thing happens (epoch ms), or `undefined`.
    #[wasm_bindgen(js_name = nextDeadline)]
    pub fn next_deadline(&self) -> Option<f64> {
        self.engine.next_deadline().map(|t| t.as_millis() as f64)
    }

    /// The next scheduled thing as `{at, description}`, or `undefined`.
    #[wasm_bindgen(js_name = peekDeadline)]
    pub fn peek_deadline(&self) -> Result<JsValue, JsError> {
        let Some((at, deadline)) = self.engine.peek_deadline() else { return Ok(JsValue::UNDEFINED) };
        view::to_js(&view::DeadlineView {
            at: at.as_millis() as f64,
            description: self.engine.describe_deadline(deadline),
        })
    }

    /// Jumps to the next deadline and performs it. Returns the new time, or
    /// `undefined` when nothing is scheduled.
    #[wasm_bindgen(js_name = advanceToNextDeadline)]
    pub fn advance_to_next_deadline(&mut self) -> Option<f64> {
        let at = self.engine.advance_to_next_deadline();
        self.settle();
        at.map(|t| t.as_millis() as f64)
    }

    /// Performs, in order, every deadline due within `maxMs` of now, and
    /// returns how many steps that took. The clock stops at the last deadline
    /// performed, so "idle" means nothing more happens within `maxMs`.
    #[wasm_bindgen(js_name = runUntilIdle)]
    pub fn run_until_idle(&mut self, max_ms: f64) -> u32 {
        let limit = self.engine.now() + SimDuration::from_millis(convert::whole(max_ms));
        let mut steps = 0;
        while let Some(at) = self.engine.next_deadline().filter(|&at| at <= limit) {
            self.engine.advance_to(at);
            self.settle();
            steps += 1;
        }
        steps
    }

    /// Gives up a pending request (`promise.pendingId` of a `dispatch` that
    /// waits): its long poll stops waiting, takes no message, and its promise
    /// never settles. Unknown or finished ids are ignored.
    pub fn cancel(&mut self, pending_id: f64) {
        let id = convert::whole(pending_id);
        self.waiting.remove(&id);
        self.gateway.cancel(&mut self.engine, decouple_wire::PendingId(id));
    }

    /// More body for a streaming answer (one with an `x-decouple-event-stream`
    /// header): `{bytes: Uint8Array, done}`, where `bytes` may be empty while
    /// the stream waits for the clock. `undefined` once an ended stream has
    /// been read to its end, or for an unknown id. See js/handler.mjs.
    #[wasm_bindgen(js_name = takeStreamChunk)]
    pub fn take_stream_chunk(&mut self, stream: f64) -> Result<JsValue, JsError> {
        let id = convert::whole(stream);
        let Some((bytes, done)) = self.streams.get_mut(&id).map(|(b, d)| (core::mem::take(b), *d)) else {
            return Ok(JsValue::UNDEFINED);
        };
        if done {
            self.streams.remove(&id);
        }
        let chunk = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&chunk, &"bytes".into(), &js_sys::Uint8Array::from(bytes.as_slice()));
        let _ = js_sys::Reflect::set(&chunk, &"done".into(), &JsValue::from_bool(done));
        Ok(chunk.into())
    }

    /// How many dispatched requests wait for the clock (long polls).
    #[wasm_bindgen(js_name = pendingRequests)]
    pub fn pending_requests(&self) -> usize {
        self.gateway.pending()
    }

    /// Read-only state for UIs: `{now, nextDeadline, pendingDeadlines, queues: [...]}`,
    /// each queue with its counts, settings and messages.
    pub fn snapshot(&self) -> Result<JsValue, JsError> {
        view::to_js(&view::snapshot(&self.engine))
    }

    /// Every event since the last call, oldest first: `[{at, type, queue, ...}]`.
    #[wasm_bindgen(js_name = drainEvents)]
    pub fn drain_events(&mut self) -> Result<JsValue, JsError> {
        let events: alloc::vec::Vec<_> = self.engine.drain_events().iter().map(view::event).collect();
        view::to_js(&events)
    }

    /// Hands every finished long poll its answer.
    fn settle(&mut self) {
        for (id, response) in self.gateway.poll_completed(&mut self.engine) {
            if let Some(resolve) = self.waiting.remove(&u64::from(id)) {
                // Resolving only queues a microtask; it cannot re-enter the engine.
                let _ = resolve.call1(&JsValue::UNDEFINED, &convert::response(&response));
            }
        }
        for chunk in self.gateway.poll_event_streams(&mut self.engine) {
            let (bytes, done) = self.streams.entry(chunk.stream).or_default();
            bytes.extend(chunk.bytes);
            *done |= chunk.done;
        }
    }
}
