// SNS through the real SDK (@aws-sdk/client-sns, AWS query protocol: a form in,
// XML out) against the engine, with the real @aws-sdk/client-sqs as the consumer:
// every SNS action Decouple simulates, the notification envelope as a queue
// receives it, raw delivery, filter policies fanning out to several queues,
// FIFO topics, the queue access policy, and errors as the SDK surfaces them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  SNSClient,
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  PublishBatchCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SubscribeCommand,
  TagResourceCommand,
  UnsubscribeCommand,
  UntagResourceCommand,
  CreatePlatformApplicationCommand,
  CreatePlatformEndpointCommand,
  DeleteEndpointCommand,
  GetEndpointAttributesCommand,
  ListEndpointsByPlatformApplicationCommand,
  ListPlatformApplicationsCommand,
  SetEndpointAttributesCommand,
  EndpointDisabledException,
  NotFoundException,
  InvalidParameterException,
} from "@aws-sdk/client-sns";
import { CreateQueueCommand, ReceiveMessageCommand, SetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { setup, handler, failure, queueArn, ACCOUNT, REGION, START } from "./helpers.mjs";

const topicArn = (name) => `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;

/** A fresh engine with an SNS client and an SQS client bound to it. */
function clients() {
  const { engine, sqs } = setup();
  const sns = new SNSClient({
    region: REGION,
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    requestHandler: handler(engine),
    maxAttempts: 1,
  });
  return { engine, sqs, sns };
}

async function topic(sns, Name, Attributes = undefined) {
  return (await sns.send(new CreateTopicCommand({ Name, Attributes }))).TopicArn;
}

/** The policy a queue needs so that a topic may send to it. */
function allowTopic(name, TopicArn) {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "sns.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: queueArn(name),
        Condition: { ArnEquals: { "aws:SourceArn": TopicArn } },
      },
    ],
  });
}

/** A queue that lets the topic send, subscribed to it; answers its URL and the subscription ARN. */
async function subscribedQueue({ sqs, sns }, TopicArn, name, Attributes = undefined, queueAttributes = {}) {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: { ...queueAttributes, Policy: allowTopic(name, TopicArn) } }),
  );
  const { SubscriptionArn } = await sns.send(
    new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn(name), Attributes, ReturnSubscriptionArn: true }),
  );
  return { QueueUrl, SubscriptionArn };
}

async function receive(sqs, QueueUrl, extra = {}) {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"], ...extra }),
  );
  return Messages;
}

test("CreateTopic, ListTopics, Get/SetTopicAttributes and DeleteTopic", async () => {
  const { sns } = clients();
  const created = await sns.send(new CreateTopicCommand({ Name: "orders", Attributes: { DisplayName: "Orders" } }));
  assert.equal(created.TopicArn, topicArn("orders"));
  assert.equal(created.$metadata.httpStatusCode, 200);
  assert.match(created.$metadata.requestId, /^[0-9a-f-]{36}$/);
  // Idempotent with the same attributes; refused with different ones.
  assert.equal(await topic(sns, "orders", { DisplayName: "Orders" }), created.TopicArn);
  const differs = await failure(sns.send(new CreateTopicCommand({ Name: "orders", Attributes: { DisplayName: "x" } })));
  assert.equal(differs.name, "InvalidParameterException");
  assert.equal(differs.message, "Invalid parameter: Attributes Reason: Topic already exists with different attributes");

  const { Attributes: a } = await sns.send(new GetTopicAttributesCommand({ TopicArn: created.TopicArn }));
  assert.equal(a.TopicArn, created.TopicArn);
  assert.equal(a.Owner, ACCOUNT);
  assert.equal(a.DisplayName, "Orders");
  assert.equal(a.SubscriptionsConfirmed, "0");
  assert.equal(a.SubscriptionsPending, "0");
  assert.equal(a.SubscriptionsDeleted, "0");
  const policy = JSON.parse(a.Policy);
  assert.equal(policy.Id, "__default_policy_ID");
  assert.equal(policy.Statement[0].Condition.StringEquals["AWS:SourceOwner"], ACCOUNT);
  assert.equal(JSON.parse(a.EffectiveDeliveryPolicy).http.defaultHealthyRetryPolicy.numRetries, 3);

  // A policy full of quotes and markup survives the form and the XML.
  const custom = JSON.stringify({
    Version: "2008-10-17",
    Statement: [{ Sid: "<a & 'b'>", Effect: "Allow", Principal: { AWS: "*" }, Action: "SNS:Publish", Resource: created.TopicArn }],
  });
  await sns.send(new SetTopicAttributesCommand({ TopicArn: created.TopicArn, AttributeName: "Policy", AttributeValue: custom }));
  await sns.send(new SetTopicAttributesCommand({ TopicArn: created.TopicArn, AttributeName: "DisplayName", AttributeValue: "Bestellungen & Co" }));
  const { Attributes: b } = await sns.send(new GetTopicAttributesCommand({ TopicArn: created.TopicArn }));
  assert.equal(b.Policy, custom);
  assert.equal(b.DisplayName, "Bestellungen & Co");

  await topic(sns, "audit");
  const { Topics, NextToken } = await sns.send(new ListTopicsCommand({}));
  assert.deepEqual(Topics, [{ TopicArn: topicArn("audit") }, { TopicArn: topicArn("orders") }]);
  assert.equal(NextToken, undefined);

  await sns.send(new DeleteTopicCommand({ TopicArn: created.TopicArn }));
  // Deleting again succeeds, as in AWS.
  await sns.send(new DeleteTopicCommand({ TopicArn: created.TopicArn }));
  const gone = await failure(sns.send(new GetTopicAttributesCommand({ TopicArn: created.TopicArn })));
  assert.ok(gone instanceof NotFoundException);
  assert.equal(gone.name, "NotFoundException");
  assert.equal(gone.Code, "NotFound");
  assert.equal(gone.message, "Topic does not exist");
  assert.equal(gone.$metadata.httpStatusCode, 404);
  assert.equal(gone.$fault, "client");
});

test("ListTopics pages by 100 with a NextToken", async () => {
  const { sns } = clients();
  for (let i = 0; i < 101; i++) await topic(sns, `t${String(i).padStart(3, "0")}`);
  const first = await sns.send(new ListTopicsCommand({}));
  assert.equal(first.Topics.length, 100);
  assert.ok(first.NextToken);
  const second = await sns.send(new ListTopicsCommand({ NextToken: first.NextToken }));
  assert.deepEqual(second.Topics, [{ TopicArn: topicArn("t100") }]);
  assert.equal(second.NextToken, undefined);
});

test("tags: CreateTopic Tags, TagResource, UntagResource, ListTagsForResource", async () => {
  const { sns } = clients();
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "t", Tags: [{ Key: "team", Value: "a b" }] }));
  await sns.send(new TagResourceCommand({ ResourceArn: TopicArn, Tags: [{ Key: "env", Value: "<dev>" }] }));
  const { Tags } = await sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }));
  assert.deepEqual(Tags, [{ Key: "env", Value: "<dev>" }, { Key: "team", Value: "a b" }]);
  await sns.send(new UntagResourceCommand({ ResourceArn: TopicArn, TagKeys: ["team"] }));
  // The SDK sends an empty list as `TagKeys=`.
  await sns.send(new UntagResourceCommand({ ResourceArn: TopicArn, TagKeys: [] }));
  assert.deepEqual((await sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }))).Tags, [{ Key: "env", Value: "<dev>" }]);
  await sns.send(new UntagResourceCommand({ ResourceArn: TopicArn, TagKeys: ["env"] }));
  assert.deepEqual((await sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }))).Tags, []);
  const twice = await failure(
    sns.send(new TagResourceCommand({ ResourceArn: TopicArn, Tags: [{ Key: "k", Value: "1" }, { Key: "k", Value: "1" }] })),
  );
  assert.equal(twice.name, "InvalidParameterException");
  assert.equal(twice.message, "Invalid parameter: Duplicated keys are not allowed.");
  const missing = await failure(sns.send(new TagResourceCommand({ ResourceArn: topicArn("nope"), Tags: [{ Key: "k", Value: "v" }] })));
  assert.equal(missing.name, "NotFoundException");
  assert.equal(missing.$metadata.httpStatusCode, 404);
});

test("Subscribe, List(ByTopic), Get/SetSubscriptionAttributes, Unsubscribe", async () => {
  const c = clients();
  const { sns } = c;
  const TopicArn = await topic(sns, "t");
  const { SubscriptionArn } = await subscribedQueue(c, TopicArn, "q");
  assert.match(SubscriptionArn, new RegExp(`^${TopicArn}:[0-9a-f-]{36}$`));
  // Subscribing the same endpoint again answers the same subscription.
  const again = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("q") }));
  assert.equal(again.SubscriptionArn, SubscriptionArn);
  const email = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: "learner@example.com" }));
  assert.equal(email.SubscriptionArn, "pending confirmation");

  const row = { SubscriptionArn, Owner: ACCOUNT, Protocol: "sqs", Endpoint: queueArn("q"), TopicArn };
  const pending = { SubscriptionArn: "PendingConfirmation", Owner: ACCOUNT, Protocol: "email", Endpoint: "learner@example.com", TopicArn };
  const all = await sns.send(new ListSubscriptionsCommand({}));
  assert.equal(all.Subscriptions.length, 2);
  assert.deepEqual(all.Subscriptions.find((s) => s.Protocol === "sqs"), row);
  assert.deepEqual(all.Subscriptions.find((s) => s.Protocol === "email"), pending);
  const byTopic = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
  assert.equal(byTopic.Subscriptions.length, 2);

  const { Attributes: t } = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
  assert.equal(t.SubscriptionsConfirmed, "1");
  assert.equal(t.SubscriptionsPending, "1");

  const { Attributes: a } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }));
  assert.deepEqual(
    Object.keys(a).sort(),
    ["ConfirmationWasAuthenticated", "Endpoint", "Owner", "PendingConfirmation", "Protocol", "RawMessageDelivery", "SubscriptionArn", "SubscriptionPrincipal", "TopicArn"],
  );
  assert.equal(a.PendingConfirmation, "false");
  assert.equal(a.RawMessageDelivery, "false");
  await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: "RawMessageDelivery", AttributeValue: "true" }));
  const policy = '{"store":["example_corp"]}';
  await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: "FilterPolicy", AttributeValue: policy }));
  const { Attributes: b } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }));
  assert.equal(b.RawMessageDelivery, "true");
  assert.equal(b.FilterPolicy, policy);
  assert.equal(b.FilterPolicyScope, "MessageAttributes");
  const bad = await failure(
    sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: "RawMessageDelivery", AttributeValue: "x" })),
  );
  assert.equal(bad.name, "InvalidParameterException");
  assert.equal(bad.message, "Invalid parameter: RawMessageDelivery: Invalid value [x]. Must be true or false.");

  await sns.send(new UnsubscribeCommand({ SubscriptionArn }));
  const twice = await failure(sns.send(new UnsubscribeCommand({ SubscriptionArn })));
  assert.equal(twice.name, "NotFoundException");
  assert.equal(twice.message, "Subscription does not exist");
  assert.equal(twice.$metadata.httpStatusCode, 404);
  assert.equal((await sns.send(new ListSubscriptionsCommand({}))).Subscriptions.length, 1);
});

test("ConfirmSubscription with a token the endpoint never got is InvalidParameter", async () => {
  const { sns } = clients();
  const TopicArn = await topic(sns, "t");
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "https", Endpoint: "https://example.com/hook" }));
  const err = await failure(sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: "not-the-token" })));
  assert.ok(err instanceof InvalidParameterException);
  assert.equal(err.message, "Invalid parameter: Token");
  assert.equal(err.$metadata.httpStatusCode, 400);
});

test("the notification envelope as an SQS consumer receives it: keys, order and values", async () => {
  const c = clients();
  const { sns, sqs } = c;
  const TopicArn = await topic(sns, "orders");
  const { QueueUrl, SubscriptionArn } = await subscribedQueue(c, TopicArn, "q");
  const message = 'order <42> & "more" — ü';
  const published = await sns.send(
    new PublishCommand({
      TopicArn,
      Message: message,
      Subject: "New order",
      MessageAttributes: {
        store: { DataType: "String", StringValue: "example_corp" },
        price: { DataType: "Number", StringValue: "210.75" },
        blob: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 255]) },
      },
    }),
  );
  assert.match(published.MessageId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(published.SequenceNumber, undefined);

  const [m] = await receive(sqs, QueueUrl);
  // Not raw: the queue gets the envelope as its body, and no message attributes.
  assert.equal(m.MessageAttributes, undefined);
  const envelope = JSON.parse(m.Body);
  assert.deepEqual(Object.keys(envelope), [
    "Type",
    "MessageId",
    "TopicArn",
    "Subject",
    "Message",
    "Timestamp",
    "SignatureVersion",
    "Signature",
    "SigningCertURL",
    "UnsubscribeURL",
    "MessageAttributes",
  ]);
  assert.equal(envelope.Type, "Notification");
  assert.equal(envelope.MessageId, published.MessageId);
  assert.equal(envelope.TopicArn, TopicArn);
  assert.equal(envelope.Subject, "New order");
  assert.equal(envelope.Message, message);
  assert.equal(envelope.Timestamp, new Date(START).toISOString());
  assert.equal(envelope.SignatureVersion, "1");
  assert.equal(Buffer.from(envelope.Signature, "base64").length, 256);
  assert.match(envelope.SigningCertURL, new RegExp(`^https://sns\\.${REGION}\\.amazonaws\\.com/SimpleNotificationService-[0-9a-f]{32}\\.pem$`));
  assert.equal(envelope.UnsubscribeURL, `https://sns.${REGION}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${SubscriptionArn}`);
  assert.deepEqual(envelope.MessageAttributes, {
    blob: { Type: "Binary", Value: "AAH/" },
    price: { Type: "Number", Value: "210.75" },
    store: { Type: "String", Value: "example_corp" },
  });

  // Without a subject and attributes, those keys are absent.
  await sns.send(new PublishCommand({ TopicArn, Message: "plain" }));
  const [plain] = await receive(sqs, QueueUrl);
  assert.deepEqual(Object.keys(JSON.parse(plain.Body)), [
    "Type",
    "MessageId",
    "TopicArn",
    "Message",
    "Timestamp",
    "SignatureVersion",
    "Signature",
    "SigningCertURL",
    "UnsubscribeURL",
  ]);
});

/** SQS's MD5 of message attributes: per name in order, length-prefixed name,
 * type and value, with a transport byte (1 string, 2 binary). */
function md5OfAttributes(attributes) {
  const hash = createHash("md5");
  const field = (bytes) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length);
    hash.update(bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const { DataType, StringValue, BinaryValue } = attributes[name];
    field(Buffer.from(name));
    field(Buffer.from(DataType));
    hash.update(Buffer.from([BinaryValue ? 2 : 1]));
    field(BinaryValue ? Buffer.from(BinaryValue) : Buffer.from(StringValue));
  }
  return hash.digest("hex");
}

test("raw delivery: the body is the message and attributes arrive as SQS attributes with their MD5", async () => {
  const c = clients();
  const { sns, sqs } = c;
  const TopicArn = await topic(sns, "t");
  const { QueueUrl } = await subscribedQueue(c, TopicArn, "raw", { RawMessageDelivery: "true" });
  await sns.send(
    new PublishCommand({
      TopicArn,
      Message: "just the body",
      MessageAttributes: {
        color: { DataType: "String", StringValue: "red" },
        n: { DataType: "Number.int", StringValue: "7" },
        bin: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 2, 255]) },
      },
    }),
  );
  const [m] = await receive(sqs, QueueUrl);
  assert.equal(m.Body, "just the body");
  // The SDK checks MD5OfBody itself; the attributes' digest is checked here.
  assert.equal(m.MD5OfBody, createHash("md5").update("just the body").digest("hex"));
  assert.equal(m.MD5OfMessageAttributes, md5OfAttributes(m.MessageAttributes));
  assert.deepEqual(m.MessageAttributes.color, { DataType: "String", StringValue: "red" });
  assert.deepEqual(m.MessageAttributes.n, { DataType: "Number.int", StringValue: "7" });
  assert.equal(m.MessageAttributes.bin.DataType, "Binary");
  assert.deepEqual(m.MessageAttributes.bin.BinaryValue, new Uint8Array([0, 1, 2, 255]));
});

test("MessageStructure=json: the sqs entry reaches queues, default everyone else", async () => {
  const c = clients();
  const { sns, sqs } = c;
  const TopicArn = await topic(sns, "t");
  const { QueueUrl } = await subscribedQueue(c, TopicArn, "q", { RawMessageDelivery: "true" });
  await sns.send(
    new PublishCommand({ TopicArn, MessageStructure: "json", Message: JSON.stringify({ default: "d", sqs: "for queues" }) }),
  );
  assert.equal((await receive(sqs, QueueUrl))[0].Body, "for queues");
  const noDefault = await failure(sns.send(new PublishCommand({ TopicArn, MessageStructure: "json", Message: '{"sqs":"x"}' })));
  assert.equal(noDefault.name, "InvalidParameterException");
  assert.equal(noDefault.message, "Invalid parameter: Message Structure - No default entry in JSON message body");
});

test("filter policies fan out to several queues (attribute and MessageBody scope)", async () => {
  const c = clients();
  const { sns, sqs } = c;
  const TopicArn = await topic(sns, "events");
  const raw = { RawMessageDelivery: "true" };
  const everything = await subscribedQueue(c, TopicArn, "everything", raw);
  const red = await subscribedQueue(c, TopicArn, "red", { ...raw, FilterPolicy: JSON.stringify({ color: ["red", { prefix: "crim" }] }) });
  const big = await subscribedQueue(c, TopicArn, "big", { ...raw, FilterPolicy: JSON.stringify({ size: [{ numeric: [">", 10, "<=", 100] }] }) });
  const notBlue = await subscribedQueue(c, TopicArn, "not-blue", {
    ...raw,
    FilterPolicy: JSON.stringify({ color: [{ "anything-but": ["blue"] }] }),
  });
  const paid = await subscribedQueue(c, TopicArn, "paid", {
    ...raw,
    FilterPolicyScope: "MessageBody",
    FilterPolicy: JSON.stringify({ order: { status: ["paid"], total: [{ numeric: [">=", 100] }] } }),
  });

  const attrs = (color, size) => ({
    color: { DataType: "String", StringValue: color },
    size: { DataType: "Number", StringValue: String(size) },
  });
  await sns.send(new PublishCommand({ TopicArn, Message: "m1", MessageAttributes: attrs("red", 5) }));
  await sns.send(new PublishCommand({ TopicArn, Message: "m2", MessageAttributes: attrs("crimson", 50) }));
  await sns.send(new PublishCommand({ TopicArn, Message: "m3", MessageAttributes: attrs("blue", 500) }));
  await sns.send(new PublishCommand({ TopicArn, Message: JSON.stringify({ order: { status: "paid", total: 120 } }) }));
  await sns.send(new PublishCommand({ TopicArn, Message: JSON.stringify({ order: { status: "paid", total: 20 } }) }));

  const bodies = async ({ QueueUrl }) => (await receive(sqs, QueueUrl)).map((m) => m.Body).sort();
  assert.equal((await bodies(everything)).length, 5);
  assert.deepEqual(await bodies(red), ["m1", "m2"]);
  assert.deepEqual(await bodies(big), ["m2"]);
  // anything-but needs the attribute to be there: the JSON bodies carry none.
  assert.deepEqual(await bodies(notBlue), ["m1", "m2"]);
  assert.deepEqual(await bodies(paid), ['{"order":{"status":"paid","total":120}}']);

  const invalid = await failure(
    sns.send(
      new SetSubscriptionAttributesCommand({ SubscriptionArn: red.SubscriptionArn, AttributeName: "FilterPolicy", AttributeValue: '{"a":"b"}' }),
    ),
  );
  assert.equal(invalid.name, "InvalidParameterException");
  assert.match(invalid.message, /^Invalid parameter: FilterPolicy: /);
});

test("FIFO topic to FIFO queue: group order, deduplication, sequence numbers, unsigned envelope", async () => {
  const c = clients();
  const { sns, sqs } = c;
  const TopicArn = await topic(sns, "orders.fifo", { FifoTopic: "true" });
  assert.equal(TopicArn, topicArn("orders.fifo"));
  const { QueueUrl } = await subscribedQueue(c, TopicArn, "orders.fifo", undefined, { FifoQueue: "true" });
  const send = (Message, MessageGroupId, MessageDeduplicationId) =>
    sns.send(new PublishCommand({ TopicArn, Message, MessageGroupId, MessageDeduplicationId }));
  const a = await send("a1", "a", "1");
  const b = await send("b1", "b", "2");
  const a2 = await send("a2", "a", "3");
  assert.match(a.SequenceNumber, /^\d{20}$/);
  assert.ok(BigInt(b.SequenceNumber) > BigInt(a.SequenceNumber));
  assert.ok(BigInt(a2.SequenceNumber) > BigInt(b.SequenceNumber));
  // The same deduplication id within 5 minutes: the first publish's answer, delivered once.
  const dup = await send("a1 again", "a", "1");
  assert.equal(dup.MessageId, a.MessageId);
  assert.equal(dup.SequenceNumber, a.SequenceNumber);

  const got = await receive(sqs, QueueUrl, { MessageSystemAttributeNames: ["MessageGroupId", "MessageDeduplicationId"] });
  const envelopes = got.map((m) => ({ ...JSON.parse(m.Body), group: m.Attributes.MessageGroupId, dedup: m.Attributes.MessageDeduplicationId }));
  assert.deepEqual(envelopes.map((e) => `${e.group}:${e.Message}`).sort(), ["a:a1", "a:a2", "b:b1"]);
  // Within a group, publish order is kept.
  const groupA = envelopes.filter((e) => e.group === "a").map((e) => e.Message);
  assert.deepEqual(groupA, ["a1", "a2"]);
  assert.deepEqual(envelopes.map((e) => e.dedup).sort(), ["1", "2", "3"]);
  const first = envelopes.find((e) => e.Message === "a1");
  assert.deepEqual(Object.keys(first).filter((k) => k !== "group" && k !== "dedup"), [
    "Type",
    "MessageId",
    "SequenceNumber",
    "TopicArn",
    "Message",
    "Timestamp",
    "UnsubscribeURL",
  ]);
  assert.equal(first.SequenceNumber, a.SequenceNumber);

  // FIFO topics need a group id, and a deduplication id unless content-based deduplication is on.
  const noGroup = await failure(sns.send(new PublishCommand({ TopicArn, Message: "x", MessageDeduplicationId: "9" })));
  assert.equal(noGroup.message, "Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
  const noDedup = await failure(sns.send(new PublishCommand({ TopicArn, Message: "x", MessageGroupId: "a" })));
  assert.equal(
    noDedup.message,
    "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
  );
});

test("FIFO topics may feed standard queues; standard topics refuse FIFO queues", async () => {
  const c = clients();
  const { sns, sqs } = c;
  const fifo = await topic(sns, "f.fifo", { FifoTopic: "true", ContentBasedDeduplication: "true" });
  const { QueueUrl } = await subscribedQueue(c, fifo, "plain");
  await sns.send(new PublishCommand({ TopicArn: fifo, Message: "to a standard queue", MessageGroupId: "g" }));
  const [m] = await receive(sqs, QueueUrl);
  assert.equal(JSON.parse(m.Body).Message, "to a standard queue");

  const standard = await topic(sns, "s");
  await sqs.send(new CreateQueueCommand({ QueueName: "q.fifo", Attributes: { FifoQueue: "true" } }));
  const err = await failure(sns.send(new SubscribeCommand({ TopicArn: standard, Protocol: "sqs", Endpoint: queueArn("q.fifo") })));
  assert.equal(err.name, "InvalidParameterException");
  assert.equal(err.message, "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics");
  assert.equal(err.$metadata.httpStatusCode, 400);
});

test("a queue receives only once its access policy lets sns.amazonaws.com send", async () => {
  const { sns, sqs } = clients();
  const TopicArn = await topic(sns, "t");
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "locked" }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn("locked"), Attributes: { RawMessageDelivery: "true" } }));
  // The publish itself succeeds: delivery fails on SNS's side, as in AWS.
  await sns.send(new PublishCommand({ TopicArn, Message: "lost" }));
  assert.deepEqual(await receive(sqs, QueueUrl), []);
  // A policy for another topic does not help either.
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: allowTopic("locked", topicArn("other")) } }));
  await sns.send(new PublishCommand({ TopicArn, Message: "still lost" }));
  assert.deepEqual(await receive(sqs, QueueUrl), []);
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: allowTopic("locked", TopicArn) } }));
  await sns.send(new PublishCommand({ TopicArn, Message: "arrives" }));
  assert.deepEqual((await receive(sqs, QueueUrl)).map((m) => m.Body), ["arrives"]);
});

test("PublishBatch: successful and failed entries, FIFO sequence numbers, batch errors", async () => {
  const c = clients();
  const { sns, sqs } = c;
  const TopicArn = await topic(sns, "b.fifo", { FifoTopic: "true", ContentBasedDeduplication: "true" });
  const { QueueUrl } = await subscribedQueue(c, TopicArn, "b.fifo", { RawMessageDelivery: "true" }, { FifoQueue: "true" });
  const result = await sns.send(
    new PublishBatchCommand({
      TopicArn,
      PublishBatchRequestEntries: [
        { Id: "one", Message: "1", MessageGroupId: "g", MessageAttributes: { k: { DataType: "String", StringValue: "v" } } },
        { Id: "two", Message: "2", MessageGroupId: "g" },
        { Id: "bad", Message: "3" },
      ],
    }),
  );
  assert.deepEqual(result.Successful.map((s) => s.Id), ["one", "two"]);
  for (const s of result.Successful) {
    assert.match(s.MessageId, /^[0-9a-f-]{36}$/);
    assert.match(s.SequenceNumber, /^\d{20}$/);
  }
  assert.deepEqual(result.Failed, [
    { Id: "bad", Code: "InvalidParameter", Message: "Invalid parameter: The MessageGroupId parameter is required for FIFO topics", SenderFault: true },
  ]);
  const got = await receive(sqs, QueueUrl);
  assert.deepEqual(got.map((m) => m.Body), ["1", "2"]);
  assert.deepEqual(got[0].MessageAttributes.k, { DataType: "String", StringValue: "v" });

  const std = await topic(sns, "s");
  const cases = [
    [[], "EmptyBatchRequestException", "The batch request doesn't contain any entries"],
    [Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, Message: "x" })), "TooManyEntriesInBatchRequestException", "The batch request contains more entries than permissible."],
    [[{ Id: "a", Message: "x" }, { Id: "a", Message: "y" }], "BatchEntryIdsNotDistinctException", "Two or more batch entries in the request have the same Id."],
    [[{ Id: "message.id", Message: "x" }], "InvalidBatchEntryIdException", "The Id of a batch entry in the batch request contains an impermissible character: message.id"],
  ];
  for (const [PublishBatchRequestEntries, name, message] of cases) {
    const err = await failure(sns.send(new PublishBatchCommand({ TopicArn: std, PublishBatchRequestEntries })));
    assert.equal(err.name, name);
    assert.equal(err.message, message);
    assert.equal(err.$metadata.httpStatusCode, 400);
  }
});

test("errors as the SDK surfaces them: names, codes and statuses", async () => {
  const { sns } = clients();
  const badName = await failure(sns.send(new CreateTopicCommand({ Name: "no spaces" })));
  assert.ok(badName instanceof InvalidParameterException);
  assert.equal(badName.name, "InvalidParameterException");
  assert.equal(badName.Code, "InvalidParameter");
  assert.equal(badName.Type, "Sender");
  assert.equal(badName.message, "Invalid parameter: Topic Name");
  assert.equal(badName.$metadata.httpStatusCode, 400);

  const TopicArn = await topic(sns, "t");
  const empty = await failure(sns.send(new PublishCommand({ TopicArn, Message: "" })));
  assert.equal(empty.name, "InvalidParameterException");
  assert.equal(empty.message, "Invalid parameter: Empty message");

  const attr = await failure(
    sns.send(new PublishCommand({ TopicArn, Message: "x", MessageAttributes: { attr1: { DataType: "String", StringValue: "" } } })),
  );
  assert.equal(attr.name, "InvalidParameterValueException");
  assert.equal(attr.Code, "ParameterValueInvalid");
  assert.equal(attr.message, "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'String'.");
  assert.equal(attr.$metadata.httpStatusCode, 400);

  const tooLong = await failure(sns.send(new PublishCommand({ TopicArn, Message: "x".repeat(262_145) })));
  assert.equal(tooLong.message, "Invalid parameter: Message too long");

  const shortArn = await failure(sns.send(new GetTopicAttributesCommand({ TopicArn: "arn:aws" })));
  assert.equal(shortArn.message, "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 2");

  const protocol = await failure(sns.send(new SubscribeCommand({ TopicArn, Protocol: "test-protocol", Endpoint: "x" })));
  assert.equal(protocol.message, "Invalid parameter: Amazon SNS does not support this protocol string: test-protocol");

  const notFound = await failure(sns.send(new PublishCommand({ TopicArn: topicArn("nope"), Message: "x" })));
  assert.ok(notFound instanceof NotFoundException);
  assert.equal(notFound.$metadata.httpStatusCode, 404);

  // The SDK does not check required members; the service answers ValidationError.
  const missing = await failure(sns.send(new PublishCommand({ TopicArn })));
  assert.equal(missing.name, "ValidationError");
  assert.equal(missing.Code, "ValidationError");
  assert.equal(missing.message, "1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null");
  assert.equal(missing.$metadata.httpStatusCode, 400);
});

test("mobile push: a platform application, a device endpoint, and Publish to its TargetArn", async () => {
  const { engine, sns } = clients();
  const { PlatformApplicationArn } = await sns.send(
    new CreatePlatformApplicationCommand({ Name: "shop", Platform: "GCM", Attributes: { PlatformCredential: "key" } }),
  );
  assert.equal(PlatformApplicationArn, `arn:aws:sns:${REGION}:${ACCOUNT}:app/GCM/shop`);
  const apps = await sns.send(new ListPlatformApplicationsCommand({}));
  assert.deepEqual(apps.PlatformApplications, [{ PlatformApplicationArn, Attributes: { Enabled: "true" } }]);

  const { EndpointArn } = await sns.send(
    new CreatePlatformEndpointCommand({ PlatformApplicationArn, Token: "token-1", CustomUserData: "alice" }),
  );
  const { Attributes } = await sns.send(new GetEndpointAttributesCommand({ EndpointArn }));
  assert.deepEqual(Attributes, { CustomUserData: "alice", Enabled: "true", Token: "token-1" });
  const { MessageId } = await sns.send(new PublishCommand({ TargetArn: EndpointArn, Message: "your order shipped" }));
  assert.match(MessageId, /^[0-9a-f-]{36}$/);

  await sns.send(new SetEndpointAttributesCommand({ EndpointArn, Attributes: { Enabled: "false" } }));
  const disabled = await failure(sns.send(new PublishCommand({ TargetArn: EndpointArn, Message: "again" })));
  assert.ok(disabled instanceof EndpointDisabledException);
  assert.equal(disabled.message, "Endpoint is disabled");

  const bad = await failure(
    sns.send(new CreatePlatformApplicationCommand({ Name: "x", Platform: "PIGEON", Attributes: { PlatformCredential: "k" } })),
  );
  assert.ok(bad instanceof InvalidParameterException);
  assert.equal(bad.message, "Invalid parameter: Platform Reason: PIGEON is not supported");

  await sns.send(new DeleteEndpointCommand({ EndpointArn }));
  const left = await sns.send(new ListEndpointsByPlatformApplicationCommand({ PlatformApplicationArn }));
  assert.deepEqual(left.Endpoints ?? [], []);
  engine.advance(0);
});
