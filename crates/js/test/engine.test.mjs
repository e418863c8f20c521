// The JS package itself: raw dispatch (what the SDK never sends), the clock,
// snapshots and events, determinism, and the web build.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { setup, raw, tick, Engine, START, queueUrl } from "./helpers.mjs";

test("unknown targets are UnknownOperationException with the legacy InvalidAction code", async () => {
  const { engine } = setup();
  const r = await raw(engine, "AmazonSQS.Frobnicate", "{}");
  assert.equal(r.statusCode, 400);
  assert.equal(r.text, '{"__type":"com.amazon.coral.service#UnknownOperationException"}');
  assert.equal(r.headers["x-amzn-query-error"], "InvalidAction;Sender");
  const firehose = await raw(engine, "Firehose_20150804.Frobnicate", "{}", {
    "content-type": "application/x-amz-json-1.1",
  });
  assert.equal(firehose.headers["content-type"], "application/x-amz-json-1.1");
  assert.equal(JSON.parse(firehose.text).__type, "com.amazon.coral.service#UnknownOperationException");
  const kinesis = await raw(engine, "Kinesis_20131202.Frobnicate", "{}", { "content-type": "application/x-amz-json-1.1" });
  assert.equal(JSON.parse(kinesis.text).__type, "com.amazon.coral.service#UnknownOperationException");
});

test("malformed JSON and wrong member types are SerializationException", async () => {
  const { engine } = setup();
  for (const body of ["{", '{"QueueName": 7}', '{"QueueName":"q","Attributes":[]}', "null"]) {
    const r = await raw(engine, "AmazonSQS.CreateQueue", body);
    assert.equal(r.statusCode, 400, body);
    assert.equal(JSON.parse(r.text).__type, "com.amazon.coral.service#SerializationException", body);
  }
  const big = await raw(engine, "AmazonSQS.ListQueues", '{"MaxResults": 1e999}');
  assert.equal(JSON.parse(big.text).__type, "com.amazon.coral.service#SerializationException");
});

test("SNS answers the query protocol in XML, unsigned too (sns.test.mjs drives it with the SDK)", async () => {
  const { engine } = setup();
  const r = await engine.dispatch({
    method: "POST",
    path: "/",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body: "Action=ListTopics&Version=2010-03-31",
  });
  assert.equal(r.statusCode, 200);
  assert.equal(r.headers["content-type"], "text/xml");
  assert.match(Buffer.from(r.body).toString(), /^<ListTopicsResponse xmlns="http:\/\/sns.amazonaws.com\/doc\/2010-03-31\/"><ListTopicsResult><Topics\/><\/ListTopicsResult>/);
  const unknown = await engine.dispatch({
    method: "POST",
    path: "/",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "Action=Publish&Version=2010-03-31&Message=hi",
  });
  assert.equal(unknown.statusCode, 400);
  assert.match(Buffer.from(unknown.body).toString(), /<Code>InvalidParameter<\/Code>/);
});

test("dispatch accepts bytes and header pairs as well as strings and objects", async () => {
  const { engine } = setup();
  const r = await engine.dispatch({
    method: "POST",
    path: "/",
    headers: new Map([["X-Amz-Target", "AmazonSQS.CreateQueue"], ["Content-Type", "application/x-amz-json-1.0"]]),
    body: new TextEncoder().encode('{"QueueName":"bytes"}'),
  });
  assert.equal(r.statusCode, 200);
  assert.ok(r.body instanceof Uint8Array);
  assert.equal(JSON.parse(Buffer.from(r.body).toString()).QueueUrl, queueUrl("bytes"));
});

test("the clock: now, advance, advanceTo, nextDeadline, peekDeadline, runUntilIdle", async () => {
  const { engine, sqs } = setup();
  assert.equal(engine.now(), START);
  assert.equal(engine.nextDeadline(), undefined);
  assert.equal(engine.peekDeadline(), undefined);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "clock" }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", DelaySeconds: 30 }));
  const peek = engine.peekDeadline();
  assert.equal(peek.at, START + 30_000);
  assert.equal(typeof peek.description, "string");
  engine.advance(1_000);
  engine.advanceTo(START + 500); // never backwards
  assert.equal(engine.now(), START + 1_000);
  engine.advanceTo(START + 15_000);
  const poll = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
  await tick();
  assert.equal(engine.runUntilIdle(5_000), 0, "nothing due within 5 s");
  assert.equal(engine.runUntilIdle(30_000), 1, "the delay ends and answers the poll");
  assert.equal((await poll).Messages[0].Body, "x");
  assert.equal(engine.now(), START + 30_000);
});

test("an aborted long poll rejects with AbortError and takes no message", async () => {
  const { engine, sqs } = setup();
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "abort" }));
  const controller = new AbortController();
  const poll = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }), { abortSignal: controller.signal });
  await tick();
  assert.equal(engine.pendingRequests(), 1);
  controller.abort();
  await assert.rejects(poll, (err) => err.name === "AbortError");
  assert.equal(engine.pendingRequests(), 0);
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "still here" }));
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
  assert.equal(Messages[0].Body, "still here");
});

test("snapshot shows queues, counts and message states; drainEvents the log", async () => {
  const { engine, sqs } = setup();
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "snap" }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "visible" }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "delayed", DelaySeconds: 60 }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "taken" }));
  await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
  const snap = engine.snapshot();
  assert.equal(snap.now, START);
  const [q] = snap.queues;
  assert.equal(q.name, "snap");
  assert.equal(q.url, QueueUrl);
  assert.deepEqual([q.visible, q.inFlight, q.delayed], [1, 1, 1]);
  assert.equal(q.settings.visibilityTimeout, 30);
  assert.deepEqual(q.messages.map((m) => [m.number, m.state]), [[1, "inFlight"], [2, "delayed"], [3, "visible"]]);
  assert.equal(q.messages[1].visibleAt, START + 60_000);
  const events = engine.drainEvents();
  assert.deepEqual(events.map((e) => e.type), ["QueueCreated", "MessageSent", "MessageSent", "MessageSent", "MessageReceived"]);
  assert.equal(events[1].queue, "snap");
  assert.equal(events[1].number, 1);
  assert.equal(engine.drainEvents().length, 0);
});

test("the same seed gives the same ids, handles and request ids", async () => {
  async function run() {
    const { engine, sqs } = setup({ seed: 7 });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "det" }));
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    return [sent.MessageId, sent.$metadata.requestId, got.Messages[0].ReceiptHandle, engine.now()];
  }
  assert.deepEqual(await run(), await run());
});

test("engine options are validated", () => {
  assert.throws(() => new Engine({ seed: -1 }), /seed/);
  assert.throws(() => new Engine({ startTime: "not a date" }), /startTime/);
  const e = new Engine({ seed: 2n ** 63n, startTime: new Date(START) });
  assert.equal(e.now(), START);
  assert.equal(new Engine(undefined).now(), Date.UTC(2026, 0, 1));
});

test("the web build loads from bytes and answers the same way", async () => {
  const web = await import("../pkg-web/decouple_js.js");
  const bytes = await readFile(new URL("../pkg-web/decouple_js_bg.wasm", import.meta.url));
  web.initSync({ module: bytes });
  const { handler } = await import("../pkg-web/handler.mjs");
  const engine = new web.Engine({ seed: 1 });
  const r = await handler(engine).handle({
    method: "POST",
    path: "/",
    headers: { "x-amz-target": "AmazonSQS.ListQueues", "content-type": "application/x-amz-json-1.0" },
    body: "{}",
  });
  assert.equal(r.response.statusCode, 200);
  assert.equal(Buffer.from(r.response.body).toString(), "{}");
});
