// The SQS Extended Client helper against the engine: a payload above the
// threshold goes to S3, the queue carries the libraries' pointer, and the
// consumer side gets the payload back and deletes both.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { handler, setup, REGION } from "./helpers.mjs";

const require = createRequire(import.meta.url);
const { extendedClient, parseHandle } = require("../pkg-node/extended.cjs");
const commands = {
  SendMessageCommand,
  ReceiveMessageCommand,
  DeleteMessageCommand,
  ChangeMessageVisibilityCommand,
  PutObjectCommand,
  GetObjectCommand,
  DeleteObjectCommand,
};

async function world() {
  const { engine, sqs } = setup();
  const s3 = new S3Client({
    region: REGION,
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    requestHandler: handler(engine),
    forcePathStyle: true,
    maxAttempts: 1,
  });
  await s3.send(new CreateBucketCommand({ Bucket: "large-payloads", CreateBucketConfiguration: { LocationConstraint: REGION } }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "documents" }));
  const ext = extendedClient({ sqs, s3, bucket: "large-payloads", commands });
  return { engine, sqs, s3, ext, QueueUrl };
}

test("a payload above 256 KiB travels through S3 behind the libraries' pointer", async () => {
  const { sqs, s3, ext, QueueUrl } = await world();
  const big = "x".repeat(300 * 1024);
  await ext.sendMessage({ QueueUrl, MessageBody: big });

  // What the queue holds is the pointer, with the reserved size attribute.
  const raw = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ["All"], VisibilityTimeout: 0 }));
  const [pointerClass, pointer] = JSON.parse(raw.Messages[0].Body);
  assert.equal(pointerClass, "software.amazon.payloadoffloading.PayloadS3Pointer");
  assert.equal(pointer.s3BucketName, "large-payloads");
  assert.equal(raw.Messages[0].MessageAttributes.ExtendedPayloadSize.StringValue, String(big.length));
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: "large-payloads" }));
  assert.deepEqual(listed.Contents.map((o) => o.Key), [pointer.s3Key]);

  // The extended client gives the payload back, and its handle names the object.
  const got = await ext.receiveMessage({ QueueUrl });
  assert.equal(got.Messages[0].Body, big);
  const parsed = parseHandle(got.Messages[0].ReceiptHandle);
  assert.deepEqual([parsed.bucket, parsed.key], ["large-payloads", pointer.s3Key]);
  assert.equal(got.Messages[0].MessageAttributes?.ExtendedPayloadSize, undefined);

  await ext.changeMessageVisibility({ QueueUrl, ReceiptHandle: got.Messages[0].ReceiptHandle, VisibilityTimeout: 60 });
  await ext.deleteMessage({ QueueUrl, ReceiptHandle: got.Messages[0].ReceiptHandle });
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }),
  );
  assert.deepEqual([Attributes.ApproximateNumberOfMessages, Attributes.ApproximateNumberOfMessagesNotVisible], ["0", "0"]);
  const after = await s3.send(new ListObjectsV2Command({ Bucket: "large-payloads" }));
  assert.equal(after.KeyCount, 0);
});

test("small messages go straight to the queue; the reserved attribute is refused", async () => {
  const { sqs, s3, ext, QueueUrl } = await world();
  await ext.sendMessage({ QueueUrl, MessageBody: "small" });
  const raw = await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 0 }));
  assert.equal(raw.Messages[0].Body, "small");
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: "large-payloads" }));
  assert.equal(listed.KeyCount, 0);
  await assert.rejects(
    ext.sendMessage({ QueueUrl, MessageBody: "x", MessageAttributes: { ExtendedPayloadSize: { DataType: "Number", StringValue: "1" } } }),
    /reserved/,
  );
  // Without the helper, a body over the queue's 1 MiB limit is AWS's error.
  await assert.rejects(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x".repeat(1024 * 1024 + 1) })), /Message must be shorter/);
});
