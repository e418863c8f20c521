// Decouple's AWS SDK v3 request handler, and a real-time ticker for the virtual clock.
//
// `handler(engine)` returns an object the SDK accepts as `requestHandler`:
//
//   import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
//   const sqs = new SQSClient({
//     region: "us-east-1",
//     credentials: { accessKeyId: "AKID", secretAccessKey: "secret" },
//     requestHandler: handler(engine),
//   });
//
// Requests never leave the process: each goes to `engine.dispatch`, and the
// SDK gets AWS's answer back. A long poll (ReceiveMessage with WaitTimeSeconds)
// resolves when virtual time moves: call `engine.advance(ms)` yourself, or
// start a ticker with `startTicker(engine)` to let virtual time follow real time.
//
// This file has no imports so that it works unchanged in Node and in browsers.
// The build writes an ESM copy (handler.mjs) and a CommonJS copy (handler.cjs)
// next to the wasm-bindgen output.

/** Query parameters as the SDK passes them: name -> string | string[] | null. */
function queryString(query) {
  if (!query) return "";
  if (typeof query === "string") return query.replace(/^\?/, "");
  const parts = [];
  for (const [name, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      parts.push(v == null ? encodeURIComponent(name) : `${encodeURIComponent(name)}=${encodeURIComponent(v)}`);
    }
  }
  return parts.join("&");
}

/**
 * The request body as the engine takes it (a string or bytes). The SDK passes
 * a stream when the caller gave one (an S3 PutObject of a Node Readable, a web
 * ReadableStream or a Blob); it is read to the end first.
 */
async function bodyOf(body) {
  if (body == null) return "";
  if (typeof body === "string" || body instanceof Uint8Array || body instanceof ArrayBuffer) return body;
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (typeof Blob === "function" && body instanceof Blob) return new Uint8Array(await body.arrayBuffer());
  const chunks = [];
  if (typeof body.getReader === "function") {
    const reader = body.getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) chunks.push(next.value);
  } else if (typeof body[Symbol.asyncIterator] === "function") {
    for await (const chunk of body) chunks.push(chunk);
  } else {
    return body;
  }
  const parts = chunks.map((c) => (typeof c === "string" ? new TextEncoder().encode(c) : new Uint8Array(c)));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Whether the SDK client is S3's: its signer always sends x-amz-content-sha256. */
function isS3(headers) {
  return Object.keys(headers).some((name) => name.toLowerCase() === "x-amz-content-sha256");
}

function abortError() {
  const error = new Error("Request aborted");
  error.name = "AbortError";
  return error;
}

/**
 * The body of a streaming answer (Kinesis SubscribeToShard's event stream):
 * the bytes that came with the answer, then whatever the engine pushes as
 * virtual time moves, until the subscription ends. The SDK reads any async
 * iterable of Uint8Array chunks as an event stream, in Node and in browsers.
 */
async function* eventStreamBody(engine, stream, first) {
  if (first.length > 0) yield first;
  for (;;) {
    const chunk = engine.takeStreamChunk(stream);
    if (chunk === undefined) return;
    if (chunk.bytes.length > 0) yield chunk.bytes;
    if (chunk.done) return;
    // Nothing yet: look again after the clock had a chance to move.
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * An AWS SDK v3 `requestHandler` bound to a Decouple engine.
 * `options.onRequest(request)` and `options.onResponse(response)` let a UI watch the traffic.
 */
function handler(engine, options = {}) {
  return {
    metadata: { handlerProtocol: "http/1.1" },

    async handle(request, { abortSignal } = {}) {
      if (abortSignal?.aborted) throw abortError();
      const wire = {
        method: request.method,
        path: request.path || "/",
        query: queryString(request.query),
        headers: request.headers ?? {},
        body: await bodyOf(request.body),
      };
      options.onRequest?.(wire);
      const pending = engine.dispatch(wire);
      // A waiting long poll whose caller aborts is answered with AbortError,
      // and the engine stops the poll so that it takes no message.
      const response = abortSignal
        ? await new Promise((resolve, reject) => {
            const onAbort = () => {
              if (pending.pendingId !== undefined) engine.cancel(pending.pendingId);
              reject(abortError());
            };
            if (typeof abortSignal.addEventListener === "function") {
              abortSignal.addEventListener("abort", onAbort, { once: true });
            } else {
              abortSignal.onabort = onAbort;
            }
            pending.then(resolve, reject);
          })
        : await pending;
      options.onResponse?.(response);
      // The shape of @smithy/protocol-http's HttpResponse: the SDK accepts a
      // plain object (it checks statusCode and headers) with a Uint8Array body.
      // S3's GetObject hands its body to the caller as a stream (Body.transformToString()),
      // which the SDK builds only from a Node Readable, a web ReadableStream or a Blob;
      // a Blob works in Node and browsers alike, and S3's other answers read it too.
      const stream = response.headers["x-decouple-event-stream"];
      const body =
        stream !== undefined
          ? eventStreamBody(engine, Number(stream), response.body)
          : isS3(wire.headers) && typeof Blob === "function"
            ? new Blob([response.body])
            : response.body;
      return {
        response: { statusCode: response.statusCode, reason: undefined, headers: response.headers, body },
      };
    },

    // The SDK's handler interface; there is no HTTP client to configure.
    updateHttpClientConfig() {},
    httpHandlerConfigs() {
      return {};
    },
    destroy() {},
  };
}

/**
 * Lets virtual time follow real time: every `intervalMs` the engine's clock
 * moves by the real time elapsed, times `speed`. Returns a function that stops it.
 */
function startTicker(engine, { speed = 1, intervalMs = 50 } = {}) {
  const clock = () => (typeof performance !== "undefined" ? performance.now() : Date.now());
  let last = clock();
  let carry = 0;
  const timer = setInterval(() => {
    const now = clock();
    const elapsed = (now - last) * speed + carry;
    last = now;
    const whole = Math.floor(elapsed);
    carry = elapsed - whole;
    if (whole > 0) engine.advance(whole);
  }, intervalMs);
  // Not unref'd: a long poll awaiting virtual time must keep Node's event loop alive.
  return () => clearInterval(timer);
}

/**
 * Awaits `promise` (an SDK call), moving virtual time from deadline to
 * deadline while it is unsettled, at most `maxMs` of virtual time. For tests
 * and scripts: `await settle(engine, sqs.send(new ReceiveMessageCommand(...)))`.
 */
async function settle(engine, promise, { maxMs = 3_600_000 } = {}) {
  let done = false;
  const tracked = promise.finally(() => {
    done = true;
  });
  tracked.catch(() => {});
  const limit = engine.now() + maxMs;
  const yieldToSdk = () => new Promise((resolve) => setTimeout(resolve, 0));
  await yieldToSdk();
  while (!done) {
    const next = engine.nextDeadline();
    if (next === undefined || next > limit) break;
    engine.advanceTo(next);
    await yieldToSdk();
  }
  return tracked;
}

export { handler, startTicker, settle };
