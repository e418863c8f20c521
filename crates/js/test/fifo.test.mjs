// FIFO queues through the real SDK: ordering, group locking, deduplication in
// its 5-minute window, sequence numbers, FIFO-only rules and throttling.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from "@aws-sdk/client-sqs";
import { setup, failure } from "./helpers.mjs";

async function fifo(sqs, name = "jobs.fifo", extra = {}) {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: { FifoQueue: "true", ...extra } }),
  );
  return QueueUrl;
}

test("a FIFO queue needs the .fifo suffix, and FifoQueue cannot change", async () => {
  const { sqs } = setup();
  const err = await failure(sqs.send(new CreateQueueCommand({ QueueName: "jobs", Attributes: { FifoQueue: "true" } })));
  assert.equal(err.name, "InvalidParameterValue");
  const QueueUrl = await fifo(sqs);
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
  assert.equal(Attributes.FifoQueue, "true");
  assert.equal(Attributes.ContentBasedDeduplication, "false");
  assert.equal(Attributes.DeduplicationScope, "queue");
  assert.equal(Attributes.FifoThroughputLimit, "perQueue");
  const change = await failure(sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { FifoQueue: "false" } })));
  assert.equal(change.name, "InvalidAttributeValue");
  const std = (await sqs.send(new CreateQueueCommand({ QueueName: "std" }))).QueueUrl;
  const stdAttr = await failure(sqs.send(new SetQueueAttributesCommand({ QueueUrl: std, Attributes: { ContentBasedDeduplication: "true" } })));
  assert.equal(stdAttr.name, "InvalidAttributeName");
});

test("sends need a MessageGroupId and a deduplication id (or content-based deduplication)", async () => {
  const { sqs } = setup();
  const QueueUrl = await fifo(sqs);
  const group = await failure(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageDeduplicationId: "d" })));
  assert.equal(group.name, "MissingParameter");
  assert.equal(group.message, "The request must contain the parameter MessageGroupId.");
  const dedup = await failure(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageGroupId: "g" })));
  assert.equal(dedup.name, "InvalidParameterValue");
  assert.equal(dedup.message, "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
  const delay = await failure(
    sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "d", DelaySeconds: 2 })),
  );
  assert.equal(delay.message, "Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.");
  const badGroup = await failure(
    sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageGroupId: "group 123", MessageDeduplicationId: "d" })),
  );
  assert.match(badGroup.message, /MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length/);
});

test("a standard queue refuses a MessageDeduplicationId", async () => {
  const { sqs } = setup();
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "std" }));
  const err = await failure(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageDeduplicationId: "d" })));
  assert.equal(err.name, "InvalidParameterValue");
});

test("messages of a group arrive in order, one group at a time while in flight", async () => {
  const { sqs } = setup();
  const QueueUrl = await fifo(sqs, "order.fifo", { ContentBasedDeduplication: "true" });
  const seqs = [];
  for (const [g, body] of [["a", "a1"], ["b", "b1"], ["a", "a2"], ["a", "a3"], ["b", "b2"]]) {
    const r = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body, MessageGroupId: g }));
    assert.match(r.SequenceNumber, /^\d{20}$/);
    seqs.push(BigInt(r.SequenceNumber));
  }
  assert.deepEqual([...seqs].sort((x, y) => (x < y ? -1 : 1)), seqs, "sequence numbers increase");
  const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 2, AttributeNames: ["All"] }));
  assert.deepEqual(first.Messages.map((m) => m.Body), ["a1", "a2"]);
  assert.equal(first.Messages[0].Attributes.MessageGroupId, "a");
  assert.match(first.Messages[0].Attributes.SequenceNumber, /^\d{20}$/);
  // Group a is locked while a1/a2 are in flight; b is served.
  const second = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
  assert.deepEqual(second.Messages.map((m) => m.Body), ["b1", "b2"]);
  assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages, undefined);
  for (const m of first.Messages) await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
  const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
  assert.deepEqual(third.Messages.map((m) => m.Body), ["a3"]);
});

test("deduplication holds for 5 virtual minutes and returns the first message's id", async () => {
  const { sqs, engine } = setup();
  const QueueUrl = await fifo(sqs);
  const send = () => sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "pay", MessageGroupId: "g", MessageDeduplicationId: "order-1" }));
  const a = await send();
  engine.advance(4 * 60_000);
  const b = await send();
  assert.equal(b.MessageId, a.MessageId);
  assert.equal(b.SequenceNumber, a.SequenceNumber);
  engine.advance(60_000);
  const c = await send();
  assert.notEqual(c.MessageId, a.MessageId);
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }));
  assert.equal(Attributes.ApproximateNumberOfMessages, "2");
});

test("content-based deduplication hashes the body", async () => {
  const { sqs } = setup();
  const QueueUrl = await fifo(sqs, "cbd.fifo", { ContentBasedDeduplication: "true" });
  const a = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "same", MessageGroupId: "g" }));
  const b = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "same", MessageGroupId: "g" }));
  const c = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "other", MessageGroupId: "g" }));
  assert.equal(b.MessageId, a.MessageId);
  assert.notEqual(c.MessageId, a.MessageId);
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, AttributeNames: ["MessageDeduplicationId"] }));
  assert.equal(Messages.length, 2);
  assert.match(Messages[0].Attributes.MessageDeduplicationId, /^[0-9a-f]{64}$/);
});

test("a ReceiveRequestAttemptId retry returns the same messages", async () => {
  const { sqs } = setup();
  const QueueUrl = await fifo(sqs, "retry.fifo", { ContentBasedDeduplication: "true" });
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "m", MessageGroupId: "g" }));
  const a = await sqs.send(new ReceiveMessageCommand({ QueueUrl, ReceiveRequestAttemptId: "attempt-1" }));
  const b = await sqs.send(new ReceiveMessageCommand({ QueueUrl, ReceiveRequestAttemptId: "attempt-1" }));
  assert.equal(b.Messages[0].MessageId, a.Messages[0].MessageId);
  assert.equal(b.Messages[0].ReceiptHandle, a.Messages[0].ReceiptHandle);
});

test("an expired receipt handle cannot delete a FIFO message", async () => {
  const { sqs, engine } = setup();
  const QueueUrl = await fifo(sqs, "exp.fifo", { ContentBasedDeduplication: "true", VisibilityTimeout: "10" });
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "m", MessageGroupId: "g" }));
  const [m] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages;
  engine.advance(10_000);
  await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
  const err = await failure(sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle })));
  assert.equal(err.name, "InvalidParameterValue");
  assert.match(err.message, /Reason: The receipt handle has expired\.$/);
});

test("SendMessageBatch to a FIFO queue: per-entry failures for a missing group", async () => {
  const { sqs } = setup();
  const QueueUrl = await fifo(sqs, "batch.fifo", { ContentBasedDeduplication: "true" });
  const r = await sqs.send(
    new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: "ok", MessageBody: "a", MessageGroupId: "g" }, { Id: "nogroup", MessageBody: "b" }] }),
  );
  assert.deepEqual(r.Successful.map((s) => s.Id), ["ok"]);
  assert.match(r.Successful[0].SequenceNumber, /^\d{20}$/);
  assert.equal(r.Failed[0].Id, "nogroup");
  assert.equal(r.Failed[0].Code, "InvalidParameterValue");
});

test("over 300 sends in one virtual second is a ThrottlingException", async () => {
  const { sqs, engine } = setup();
  const QueueUrl = await fifo(sqs, "tps.fifo", { ContentBasedDeduplication: "true" });
  let throttled;
  for (let i = 0; i < 301 && !throttled; i++) {
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `m${i}`, MessageGroupId: "g" }));
    } catch (err) {
      throttled = { err, i };
    }
  }
  assert.ok(throttled, "expected throttling");
  assert.equal(throttled.i, 300);
  assert.equal(throttled.err.name, "ThrottlingException");
  assert.equal(throttled.err.message, "Rate exceeded");
  engine.advance(1_000);
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "again", MessageGroupId: "g" }));
});
