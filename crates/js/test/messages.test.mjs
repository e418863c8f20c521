// The message lifecycle through the real SDK: send, receive, delete, visibility,
// delays and long polls on the virtual clock, batches, attributes and size limits.
// The SDK checks MD5OfMessageBody / MD5OfBody itself on every send and receive.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { setup, failure, tick, settle, startTicker, START } from "./helpers.mjs";

const md5 = (text) => createHash("md5").update(text).digest("hex");

async function queue(sqs, name = "q", Attributes = undefined) {
  return (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes }))).QueueUrl;
}

async function counts(sqs, QueueUrl) {
  const { Attributes: a } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
  return [a.ApproximateNumberOfMessages, a.ApproximateNumberOfMessagesNotVisible, a.ApproximateNumberOfMessagesDelayed].map(Number);
}

test("SendMessage and ReceiveMessage round-trip body, attributes and checksums", async () => {
  const { sqs } = setup();
  const QueueUrl = await queue(sqs);
  const sent = await sqs.send(
    new SendMessageCommand({
      QueueUrl,
      MessageBody: "msg",
      MessageAttributes: {
        Foo: { DataType: "String", StringValue: "Bar" },
        Bin: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 2, 255]) },
        N: { DataType: "Number.int", StringValue: "42" },
      },
      MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: "Root=1-5759e988-bd862e3fe1be46a994272793" } },
    }),
  );
  assert.equal(sent.MD5OfMessageBody, "6e2baaf3b97dbeef01c0043275f9a0e7");
  assert.match(sent.MD5OfMessageAttributes, /^[0-9a-f]{32}$/);
  assert.match(sent.MD5OfMessageSystemAttributes, /^[0-9a-f]{32}$/);
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] }),
  );
  assert.equal(Messages.length, 1);
  const [m] = Messages;
  assert.equal(m.Body, "msg");
  assert.equal(m.MessageId, sent.MessageId);
  assert.equal(m.MD5OfBody, md5("msg"));
  assert.equal(m.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
  assert.deepEqual(m.MessageAttributes.Bin.BinaryValue, new Uint8Array([0, 1, 2, 255]));
  assert.equal(m.MessageAttributes.Foo.StringValue, "Bar");
  assert.equal(m.MessageAttributes.N.DataType, "Number.int");
  assert.equal(m.Attributes.SentTimestamp, String(START));
  assert.equal(m.Attributes.ApproximateReceiveCount, "1");
  assert.equal(m.Attributes.AWSTraceHeader, "Root=1-5759e988-bd862e3fe1be46a994272793");
});

test("the documented MD5 of message attributes", async () => {
  const { sqs } = setup();
  const QueueUrl = await queue(sqs);
  const a = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageAttributes: { Foo: { DataType: "String", StringValue: "Bar" } } }));
  assert.equal(a.MD5OfMessageAttributes, "ae7155c6026991b6d54b11589678bf9c");
  const b = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageAttributes: { attr1: { DataType: "Number", StringValue: "99.12" } } }));
  assert.equal(b.MD5OfMessageAttributes, "d302007e9aa062660afc85fd0a482472");
});

test("the deprecated AttributeNames still selects system attributes", async () => {
  const { sqs } = setup();
  const QueueUrl = await queue(sqs);
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" }));
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, AttributeNames: ["ApproximateReceiveCount"] }));
  assert.deepEqual(Messages[0].Attributes, { ApproximateReceiveCount: "1" });
});

test("an empty short poll answers no Messages at all", async () => {
  const { sqs } = setup();
  const QueueUrl = await queue(sqs);
  const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
  assert.equal(r.Messages, undefined);
});

test("visibility timeout hides a received message until virtual time passes it", async () => {
  const { sqs, engine } = setup();
  const QueueUrl = await queue(sqs, "vis", { VisibilityTimeout: "30" });
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" }));
  const first = (await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages[0];
  assert.deepEqual(await counts(sqs, QueueUrl), [0, 1, 0]);
  engine.advance(29_999);
  assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages, undefined);
  engine.advance(1);
  const second = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, AttributeNames: ["All"] }))).Messages[0];
  assert.equal(second.MessageId, first.MessageId);
  assert.notEqual(second.ReceiptHandle, first.ReceiptHandle);
  assert.equal(second.Attributes.ApproximateReceiveCount, "2");
  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: second.ReceiptHandle }));
  assert.deepEqual(await counts(sqs, QueueUrl), [0, 0, 0]);
});

test("ChangeMessageVisibility extends or ends the timeout", async () => {
  const { sqs, engine } = setup();
  const QueueUrl = await queue(sqs);
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" }));
  const m = (await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages[0];
  await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 120 }));
  engine.advance(60_000);
  assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages, undefined);
  await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
  assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages.length, 1);
  const err = await failure(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 43201 })));
  assert.equal(err.name, "InvalidParameterValue");
});

test("DelaySeconds keeps a message delayed until its delay ends", async () => {
  const { sqs, engine } = setup();
  const QueueUrl = await queue(sqs);
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "later", DelaySeconds: 10 }));
  assert.deepEqual(await counts(sqs, QueueUrl), [0, 0, 1]);
  assert.equal(engine.nextDeadline(), START + 10_000);
  assert.match(engine.peekDeadline().description, /becomes visible/);
  engine.advance(10_000);
  assert.deepEqual(await counts(sqs, QueueUrl), [1, 0, 0]);
  const err = await failure(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", DelaySeconds: 901 })));
  assert.equal(err.name, "InvalidParameterValue");
});

test("a long poll waits in virtual time and is answered by a later send", async () => {
  const { sqs, engine } = setup();
  const QueueUrl = await queue(sqs);
  const poll = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
  await tick();
  assert.equal(engine.pendingRequests(), 1);
  engine.advance(5_000);
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "wake up" }));
  const { Messages } = await poll;
  assert.equal(Messages[0].Body, "wake up");
  assert.equal(engine.now(), START + 5_000);
  assert.equal(engine.pendingRequests(), 0);
});

test("a long poll with nothing to receive answers empty when its wait ends", async () => {
  const { sqs, engine } = setup();
  const QueueUrl = await queue(sqs, "lp", { ReceiveMessageWaitTimeSeconds: "20" });
  const poll = sqs.send(new ReceiveMessageCommand({ QueueUrl }));
  const result = await settle(engine, poll);
  assert.equal(result.Messages, undefined);
  assert.equal(engine.now(), START + 20_000);
});

test("a long poll is woken when a delay ends", async () => {
  const { sqs, engine } = setup();
  const QueueUrl = await queue(sqs);
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "delayed", DelaySeconds: 7 }));
  const result = await settle(engine, sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 })));
  assert.equal(result.Messages[0].Body, "delayed");
  assert.equal(engine.now(), START + 7_000);
});

test("a ticker lets virtual time follow (sped-up) real time", async () => {
  const { sqs, engine } = setup();
  const QueueUrl = await queue(sqs);
  const stop = startTicker(engine, { speed: 2000, intervalMs: 5 });
  try {
    const result = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
    assert.equal(result.Messages, undefined);
    assert.ok(engine.now() >= START + 20_000);
  } finally {
    stop();
  }
});

test("SendMessageBatch reports each entry; one bad entry does not fail the rest", async () => {
  const { sqs } = setup();
  const QueueUrl = await queue(sqs);
  const r = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl,
      Entries: [
        { Id: "a", MessageBody: "first" },
        { Id: "b", MessageBody: "second", DelaySeconds: 1000 },
        { Id: "c", MessageBody: "third", MessageAttributes: { k: { DataType: "String", StringValue: "v" } } },
      ],
    }),
  );
  assert.deepEqual(r.Successful.map((s) => s.Id).sort(), ["a", "c"]);
  assert.equal(r.Successful.find((s) => s.Id === "a").MD5OfMessageBody, md5("first"));
  assert.equal(r.Failed.length, 1);
  assert.equal(r.Failed[0].Id, "b");
  assert.equal(r.Failed[0].SenderFault, true);
  assert.equal(r.Failed[0].Code, "InvalidParameterValue");
});

test("batch-level errors: empty, too many, duplicate ids, bad ids", async () => {
  const { sqs } = setup();
  const QueueUrl = await queue(sqs);
  const cases = [
    [[], "EmptyBatchRequest"],
    [Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: "x" })), "TooManyEntriesInBatchRequest"],
    [[{ Id: "same", MessageBody: "x" }, { Id: "same", MessageBody: "y" }], "BatchEntryIdsNotDistinct"],
    [[{ Id: "not ok!", MessageBody: "x" }], "InvalidBatchEntryId"],
  ];
  for (const [Entries, name] of cases) {
    const err = await failure(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries })));
    assert.equal(err.name, name);
    assert.equal(err.Code, `AWS.SimpleQueueService.${name}`);
    assert.equal(err.$metadata.httpStatusCode, 400);
  }
});

test("DeleteMessageBatch and ChangeMessageVisibilityBatch", async () => {
  const { sqs, engine } = setup();
  const QueueUrl = await queue(sqs);
  await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [1, 2, 3].map((i) => ({ Id: `m${i}`, MessageBody: `body ${i}` })) }));
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
  assert.equal(Messages.length, 3);
  const cv = await sqs.send(
    new ChangeMessageVisibilityBatchCommand({
      QueueUrl,
      Entries: [
        { Id: "x", ReceiptHandle: Messages[0].ReceiptHandle, VisibilityTimeout: 0 },
        { Id: "y", ReceiptHandle: "garbage", VisibilityTimeout: 0 },
      ],
    }),
  );
  assert.deepEqual(cv.Successful, [{ Id: "x" }]);
  assert.equal(cv.Failed[0].Id, "y");
  assert.equal(cv.Failed[0].Code, "ReceiptHandleIsInvalid");
  const del = await sqs.send(
    new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }),
  );
  assert.equal(del.Successful.length, 3);
  assert.equal(del.Failed, undefined);
  engine.advance(60_000);
  assert.deepEqual(await counts(sqs, QueueUrl), [0, 0, 0]);
});

test("size limits: 1 MiB per message and per batch", async () => {
  const { sqs } = setup();
  const QueueUrl = await queue(sqs);
  const max = "x".repeat(1_048_576);
  const ok = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: max }));
  assert.equal(ok.MD5OfMessageBody, md5(max));
  const big = await failure(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: max + "x" })));
  assert.equal(big.name, "InvalidParameterValue");
  assert.match(big.message, /Message must be shorter than 1048576 bytes/);
  const half = "y".repeat(600_000);
  const batch = await failure(
    sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: "a", MessageBody: half }, { Id: "b", MessageBody: half }] })),
  );
  assert.equal(batch.name, "BatchRequestTooLong");
  assert.equal(batch.message, "Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes.");
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
  assert.equal(Messages[0].Body.length, 1_048_576);
});

test("invalid characters and invalid receipt handles", async () => {
  const { sqs } = setup();
  const QueueUrl = await queue(sqs);
  const chars = await failure(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "bad \u0001 char" })));
  assert.equal(chars.name, "InvalidMessageContents");
  const handle = await failure(sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: "garbage" })));
  assert.equal(handle.name, "ReceiptHandleIsInvalid");
  assert.equal(handle.message, 'The input receipt handle "garbage" is not a valid receipt handle.');
  const missing = await failure(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "" })));
  assert.equal(missing.name, "MissingParameter");
  assert.equal(missing.Code, "MissingParameter");
});

test("ReceiveMessage parameter ranges", async () => {
  const { sqs } = setup();
  const QueueUrl = await queue(sqs);
  const many = await failure(sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 11 })));
  assert.equal(many.message, "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.");
  const wait = await failure(sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 21 })));
  assert.equal(wait.message, "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.");
});
