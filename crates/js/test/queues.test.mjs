// Queue administration through the real SDK: create, look up, list, attributes,
// tags, permissions, purge and delete, with AWS's errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AddPermissionCommand,
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  RemovePermissionCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
  UntagQueueCommand,
  QueueDoesNotExist,
} from "@aws-sdk/client-sqs";
import { setup, failure, queueUrl, queueArn, START, ACCOUNT } from "./helpers.mjs";

test("CreateQueue returns an AWS-shaped URL and is idempotent for equal attributes", async () => {
  const { sqs } = setup();
  const first = await sqs.send(new CreateQueueCommand({ QueueName: "orders", Attributes: { VisibilityTimeout: "45" } }));
  assert.equal(first.QueueUrl, queueUrl("orders"));
  assert.equal(first.$metadata.httpStatusCode, 200);
  assert.match(first.$metadata.requestId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const again = await sqs.send(new CreateQueueCommand({ QueueName: "orders", Attributes: { VisibilityTimeout: "45" } }));
  assert.equal(again.QueueUrl, first.QueueUrl);
  const err = await failure(sqs.send(new CreateQueueCommand({ QueueName: "orders", Attributes: { VisibilityTimeout: "10" } })));
  assert.equal(err.name, "QueueNameExists");
  assert.equal(err.Code, "QueueAlreadyExists");
  assert.equal(err.$metadata.httpStatusCode, 400);
});

test("CreateQueue validates names and attributes", async () => {
  const { sqs } = setup();
  const bad = await failure(sqs.send(new CreateQueueCommand({ QueueName: "no spaces" })));
  assert.equal(bad.name, "InvalidParameterValue");
  assert.equal(bad.Code, "InvalidParameterValue");
  assert.match(bad.message, /alphanumeric characters, hyphens, or underscores/);
  const attr = await failure(sqs.send(new CreateQueueCommand({ QueueName: "x", Attributes: { VisibilityTimeout: "43201" } })));
  assert.equal(attr.name, "InvalidAttributeValue");
  const unknown = await failure(sqs.send(new CreateQueueCommand({ QueueName: "x", Attributes: { Colour: "blue" } })));
  assert.equal(unknown.name, "InvalidAttributeName");
});

test("GetQueueUrl finds queues by name; unknown names are QueueDoesNotExist", async () => {
  const { sqs } = setup();
  await sqs.send(new CreateQueueCommand({ QueueName: "a" }));
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "a" }));
  assert.equal(QueueUrl, queueUrl("a"));
  const err = await failure(sqs.send(new GetQueueUrlCommand({ QueueName: "b" })));
  assert.ok(err instanceof QueueDoesNotExist);
  assert.equal(err.name, "QueueDoesNotExist");
  assert.equal(err.Code, "AWS.SimpleQueueService.NonExistentQueue");
  assert.equal(err.Type, "Sender");
  assert.equal(err.$fault, "client");
  assert.equal(err.message, "The specified queue does not exist.");
});

test("ListQueues filters by prefix and pages with MaxResults/NextToken", async () => {
  const { sqs } = setup();
  for (const name of ["alpha", "beta", "alpha-2", "alpha-3"]) await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const all = await sqs.send(new ListQueuesCommand({}));
  assert.equal(all.QueueUrls.length, 4);
  const alphas = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "alpha" }));
  assert.deepEqual(alphas.QueueUrls.sort(), ["alpha", "alpha-2", "alpha-3"].map(queueUrl));
  const page1 = await sqs.send(new ListQueuesCommand({ MaxResults: 2 }));
  assert.equal(page1.QueueUrls.length, 2);
  assert.ok(page1.NextToken);
  const page2 = await sqs.send(new ListQueuesCommand({ MaxResults: 2, NextToken: page1.NextToken }));
  assert.equal(page2.QueueUrls.length, 2);
  assert.deepEqual(new Set([...page1.QueueUrls, ...page2.QueueUrls]).size, 4);
  const none = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "zzz" }));
  assert.equal(none.QueueUrls, undefined, "AWS leaves QueueUrls out when there are none");
});

test("GetQueueAttributes and SetQueueAttributes, with AWS's defaults and counters", async () => {
  const { sqs } = setup();
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "attrs" }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "one" }));
  const { Attributes: a } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
  assert.equal(a.VisibilityTimeout, "30");
  assert.equal(a.DelaySeconds, "0");
  assert.equal(a.MaximumMessageSize, "1048576");
  assert.equal(a.MessageRetentionPeriod, "345600");
  assert.equal(a.ReceiveMessageWaitTimeSeconds, "0");
  assert.equal(a.QueueArn, queueArn("attrs"));
  assert.equal(a.ApproximateNumberOfMessages, "1");
  assert.equal(a.CreatedTimestamp, String(START / 1000));
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: "5", DelaySeconds: "2" } }));
  const { Attributes: b } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["VisibilityTimeout", "DelaySeconds"] }),
  );
  assert.deepEqual(b, { VisibilityTimeout: "5", DelaySeconds: "2" });
  const err = await failure(sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { DelaySeconds: "901" } })));
  assert.equal(err.name, "InvalidAttributeValue");
});

test("TagQueue, UntagQueue and ListQueueTags, including tags given at creation", async () => {
  const { sqs } = setup();
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "tagged", tags: { team: "core" } }));
  await sqs.send(new TagQueueCommand({ QueueUrl, Tags: { env: "test", cost: "42" } }));
  assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, { team: "core", env: "test", cost: "42" });
  await sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys: ["cost", "team"] }));
  assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, { env: "test" });
});

test("AddPermission and RemovePermission", async () => {
  const { sqs } = setup();
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "shared" }));
  await sqs.send(
    new AddPermissionCommand({ QueueUrl, Label: "p1", AWSAccountIds: ["111122223333"], Actions: ["SendMessage"] }),
  );
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["Policy"] }));
  const policy = JSON.parse(Attributes.Policy);
  assert.equal(policy.Statement[0].Sid, "p1");
  await sqs.send(new RemovePermissionCommand({ QueueUrl, Label: "p1" }));
  const gone = await failure(sqs.send(new RemovePermissionCommand({ QueueUrl, Label: "p1" })));
  assert.equal(gone.name, "InvalidParameterValue");
  const bad = await failure(
    sqs.send(new AddPermissionCommand({ QueueUrl, Label: "p2", AWSAccountIds: [ACCOUNT], Actions: ["CreateQueue"] })),
  );
  assert.equal(bad.name, "InvalidParameterValue");
});

test("PurgeQueue empties the queue once per 60 virtual seconds", async () => {
  const { sqs, engine } = setup();
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "purge" }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" }));
  await sqs.send(new PurgeQueueCommand({ QueueUrl }));
  const again = await failure(sqs.send(new PurgeQueueCommand({ QueueUrl })));
  assert.equal(again.name, "PurgeQueueInProgress");
  assert.equal(again.Code, "AWS.SimpleQueueService.PurgeQueueInProgress");
  assert.equal(again.$metadata.httpStatusCode, 403);
  assert.equal(again.message, "Only one PurgeQueue operation on purge is allowed every 60 seconds.");
  engine.advance(60_000);
  await sqs.send(new PurgeQueueCommand({ QueueUrl }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
  );
  assert.equal(Attributes.ApproximateNumberOfMessages, "0");
});

test("DeleteQueue, then the name is held for 60 virtual seconds", async () => {
  const { sqs, engine } = setup();
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "gone" }));
  await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  const missing = await failure(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" })));
  assert.equal(missing.name, "QueueDoesNotExist");
  const early = await failure(sqs.send(new CreateQueueCommand({ QueueName: "gone" })));
  assert.equal(early.name, "QueueDeletedRecently");
  assert.equal(early.Code, "AWS.SimpleQueueService.QueueDeletedRecently");
  engine.advance(60_000);
  assert.equal((await sqs.send(new CreateQueueCommand({ QueueName: "gone" }))).QueueUrl, QueueUrl);
});

test("any host in a queue URL works; the account and name decide", async () => {
  // Without this option the SDK would (rightly) send to the URL's host and log that it does.
  const { sqs } = setup({ useQueueUrlAsEndpoint: false });
  await sqs.send(new CreateQueueCommand({ QueueName: "anyhost" }));
  const local = `http://localhost:4566/${ACCOUNT}/anyhost`;
  const r = await sqs.send(new SendMessageCommand({ QueueUrl: local, MessageBody: "x" }));
  assert.ok(r.MessageId);
  const other = await failure(sqs.send(new SendMessageCommand({ QueueUrl: `http://localhost/999999999999/anyhost`, MessageBody: "x" })));
  assert.equal(other.name, "QueueDoesNotExist");
});
