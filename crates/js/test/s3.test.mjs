// S3 through the real SDK (@aws-sdk/client-s3, S3's REST protocol: method, path
// and query name the operation, XML in and out) against the engine, with the
// real @aws-sdk/client-sqs and @aws-sdk/client-sns as the other side of event
// notifications: buckets and objects (string, bytes and stream bodies, the last
// sent aws-chunked with a CRC32 trailer), listing, errors as the SDK surfaces
// them, notification configurations with AWS's overlap rule and destination
// validation, and the course's fan-out of an upload through SNS to two queues.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import {
  S3Client,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketNotificationConfigurationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  NoSuchBucket,
  NoSuchKey,
  NotFound,
  paginateListObjectsV2,
} from "@aws-sdk/client-s3";
import { SNSClient, CreateTopicCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { setup, handler, failure, queueArn, ACCOUNT, REGION, START } from "./helpers.mjs";

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };

/** A fresh engine with S3 (path style unless told otherwise), SNS and SQS clients bound to it. */
function clients({ forcePathStyle = true } = {}) {
  const { engine, sqs } = setup();
  const s3 = new S3Client({ region: REGION, credentials, requestHandler: handler(engine), maxAttempts: 1, forcePathStyle });
  const sns = new SNSClient({ region: REGION, credentials, requestHandler: handler(engine), maxAttempts: 1 });
  return { engine, sqs, sns, s3 };
}

const md5 = (body) => `"${createHash("md5").update(body).digest("hex")}"`;
const topicArn = (name) => `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;

/** A resource policy letting `service` do `action` on `resource` for `source`. */
function allow(service, action, resource, source) {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: action,
        Resource: resource,
        Condition: { ArnLike: { "aws:SourceArn": source } },
      },
    ],
  });
}

/** A queue that S3 may send to for `bucket`; answers its URL and ARN. */
async function s3Queue(sqs, name, bucket) {
  const Policy = allow("s3.amazonaws.com", "sqs:SendMessage", queueArn(name), `arn:aws:s3:::${bucket}`);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { Policy } }));
  return { QueueUrl, QueueArn: queueArn(name) };
}

async function receive(sqs, QueueUrl) {
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
  return Messages;
}

test("CreateBucket, HeadBucket, ListBuckets and DeleteBucket", async () => {
  const { s3 } = clients();
  // The SDK fills in the LocationConstraint of a region other than us-east-1.
  const created = await s3.send(new CreateBucketCommand({ Bucket: "photos" }));
  assert.equal(created.Location, "/photos");
  assert.equal(created.$metadata.httpStatusCode, 200);
  assert.match(created.$metadata.requestId, /^[0-9A-F]{16}$/);
  assert.ok(created.$metadata.extendedRequestId);

  const again = await failure(s3.send(new CreateBucketCommand({ Bucket: "photos" })));
  assert.equal(again.name, "BucketAlreadyOwnedByYou");
  assert.equal(again.$metadata.httpStatusCode, 409);
  assert.equal(again.BucketName, "photos");

  const elsewhere = await failure(
    s3.send(new CreateBucketCommand({ Bucket: "other", CreateBucketConfiguration: { LocationConstraint: "us-west-2" } })),
  );
  assert.equal(elsewhere.name, "IllegalLocationConstraintException");
  assert.equal(
    elsewhere.message,
    "The us-west-2 location constraint is incompatible for the region specific endpoint this request was sent to.",
  );
  const badName = await failure(s3.send(new CreateBucketCommand({ Bucket: "Bad_Name" })));
  assert.equal(badName.name, "InvalidBucketName");
  assert.equal(badName.message, "The specified bucket is not valid.");

  const head = await s3.send(new HeadBucketCommand({ Bucket: "photos" }));
  assert.equal(head.BucketRegion, REGION);
  const { Buckets } = await s3.send(new ListBucketsCommand({}));
  assert.deepEqual(
    Buckets.map((b) => [b.Name, b.CreationDate.getTime()]),
    [["photos", START]],
  );

  await s3.send(new PutObjectCommand({ Bucket: "photos", Key: "k", Body: "x" }));
  const notEmpty = await failure(s3.send(new DeleteBucketCommand({ Bucket: "photos" })));
  assert.equal(notEmpty.name, "BucketNotEmpty");
  assert.equal(notEmpty.message, "The bucket you tried to delete is not empty");
  await s3.send(new DeleteObjectCommand({ Bucket: "photos", Key: "k" }));
  const deleted = await s3.send(new DeleteBucketCommand({ Bucket: "photos" }));
  assert.equal(deleted.$metadata.httpStatusCode, 204);

  const missing = await failure(s3.send(new HeadBucketCommand({ Bucket: "photos" })));
  assert.equal(missing.name, "NotFound");
  assert.equal(missing.$metadata.httpStatusCode, 404);
  const gone = await failure(s3.send(new DeleteBucketCommand({ Bucket: "photos" })));
  assert.ok(gone instanceof NoSuchBucket);
  assert.equal(gone.name, "NoSuchBucket");
  assert.equal(gone.message, "The specified bucket does not exist");
  assert.equal(gone.BucketName, "photos");
});

test("PutObject and GetObject with string, bytes and stream bodies", async () => {
  const { s3 } = clients();
  await s3.send(new CreateBucketCommand({ Bucket: "docs" }));
  const key = "reports/2026 Q1/naïve+plan.txt";
  const put = await s3.send(new PutObjectCommand({ Bucket: "docs", Key: key, Body: "hello, S3", ContentType: "text/plain" }));
  assert.equal(put.ETag, md5("hello, S3"));
  // The SDK sends a CRC32 of the body; S3 checks it and echoes it.
  assert.equal(put.ChecksumCRC32, "TRSpBg==");

  const got = await s3.send(new GetObjectCommand({ Bucket: "docs", Key: key }));
  assert.equal(await got.Body.transformToString(), "hello, S3");
  assert.equal(got.ContentType, "text/plain");
  assert.equal(got.ContentLength, 9);
  assert.equal(got.ETag, md5("hello, S3"));
  assert.equal(got.LastModified.getTime(), START);

  const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
  await s3.send(new PutObjectCommand({ Bucket: "docs", Key: "bin", Body: bytes }));
  const bin = await s3.send(new GetObjectCommand({ Bucket: "docs", Key: "bin" }));
  assert.deepEqual(await bin.Body.transformToByteArray(), bytes);
  assert.equal(bin.ContentType, "application/octet-stream");

  // A stream body goes out aws-chunked with the checksum in a trailer.
  const streamed = await s3.send(
    new PutObjectCommand({ Bucket: "docs", Key: "streamed", Body: Readable.from([Buffer.from("part one, "), Buffer.from("part two")]) }),
  );
  assert.equal(streamed.ETag, md5("part one, part two"));
  const back = await s3.send(new GetObjectCommand({ Bucket: "docs", Key: "streamed" }));
  assert.equal(await back.Body.transformToString(), "part one, part two");

  const head = await s3.send(new HeadObjectCommand({ Bucket: "docs", Key: key }));
  assert.equal(head.ContentLength, 9);
  assert.equal(head.ETag, md5("hello, S3"));

  // Overwriting replaces; deleting answers 204, also for a key that is not there.
  await s3.send(new PutObjectCommand({ Bucket: "docs", Key: key, Body: "v2" }));
  assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: "docs", Key: key }))).Body.transformToString(), "v2");
  assert.equal((await s3.send(new DeleteObjectCommand({ Bucket: "docs", Key: key }))).$metadata.httpStatusCode, 204);
  assert.equal((await s3.send(new DeleteObjectCommand({ Bucket: "docs", Key: key }))).$metadata.httpStatusCode, 204);
});

test("NoSuchKey and NoSuchBucket as the SDK surfaces them", async () => {
  const { s3 } = clients();
  await s3.send(new CreateBucketCommand({ Bucket: "docs" }));
  const noKey = await failure(s3.send(new GetObjectCommand({ Bucket: "docs", Key: "missing/key.txt" })));
  assert.ok(noKey instanceof NoSuchKey);
  assert.equal(noKey.name, "NoSuchKey");
  assert.equal(noKey.message, "The specified key does not exist.");
  assert.equal(noKey.Key, "missing/key.txt");
  assert.equal(noKey.$fault, "client");
  assert.equal(noKey.$metadata.httpStatusCode, 404);

  // HEAD answers carry no body, so the SDK names the error by its status.
  const noHead = await failure(s3.send(new HeadObjectCommand({ Bucket: "docs", Key: "missing" })));
  assert.ok(noHead instanceof NotFound);
  assert.equal(noHead.$metadata.httpStatusCode, 404);

  for (const command of [
    new GetObjectCommand({ Bucket: "nowhere", Key: "k" }),
    new PutObjectCommand({ Bucket: "nowhere", Key: "k", Body: "x" }),
    new DeleteObjectCommand({ Bucket: "nowhere", Key: "k" }),
    new ListObjectsV2Command({ Bucket: "nowhere" }),
    new GetBucketNotificationConfigurationCommand({ Bucket: "nowhere" }),
  ]) {
    const err = await failure(s3.send(command));
    assert.equal(err.name, "NoSuchBucket", command.constructor.name);
    assert.equal(err.BucketName, "nowhere");
    assert.equal(err.$metadata.httpStatusCode, 404);
  }
});

test("ListObjectsV2: prefix, delimiter, max-keys, continuation and start-after", async () => {
  const { s3 } = clients();
  await s3.send(new CreateBucketCommand({ Bucket: "logs" }));
  const keys = ["a.txt", "img/1.jpg", "img/2.jpg", "img/raw/3.raw", "logs/x", "z z.txt"];
  for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: "logs", Key, Body: Key }));

  const all = await s3.send(new ListObjectsV2Command({ Bucket: "logs" }));
  assert.deepEqual(
    all.Contents.map((o) => o.Key),
    keys,
  );
  assert.equal(all.KeyCount, 6);
  assert.equal(all.IsTruncated, false);
  assert.equal(all.Contents[1].Size, 9);
  assert.equal(all.Contents[1].ETag, md5("img/1.jpg"));
  assert.equal(all.Contents[1].StorageClass, "STANDARD");
  assert.equal(all.Contents[1].LastModified.getTime(), START);

  const folders = await s3.send(new ListObjectsV2Command({ Bucket: "logs", Delimiter: "/" }));
  assert.deepEqual(
    folders.Contents.map((o) => o.Key),
    ["a.txt", "z z.txt"],
  );
  assert.deepEqual(
    folders.CommonPrefixes.map((p) => p.Prefix),
    ["img/", "logs/"],
  );
  const img = await s3.send(new ListObjectsV2Command({ Bucket: "logs", Prefix: "img/", Delimiter: "/" }));
  assert.deepEqual(
    [img.Prefix, img.Contents.map((o) => o.Key), img.CommonPrefixes.map((p) => p.Prefix)],
    ["img/", ["img/1.jpg", "img/2.jpg"], ["img/raw/"]],
  );

  const first = await s3.send(new ListObjectsV2Command({ Bucket: "logs", MaxKeys: 2 }));
  assert.equal(first.IsTruncated, true);
  assert.equal(first.MaxKeys, 2);
  assert.ok(first.NextContinuationToken);
  const second = await s3.send(
    new ListObjectsV2Command({ Bucket: "logs", MaxKeys: 2, ContinuationToken: first.NextContinuationToken }),
  );
  assert.equal(second.ContinuationToken, first.NextContinuationToken);
  assert.deepEqual(
    second.Contents.map((o) => o.Key),
    ["img/2.jpg", "img/raw/3.raw"],
  );

  const paged = [];
  for await (const page of paginateListObjectsV2({ client: s3, pageSize: 4 }, { Bucket: "logs" })) {
    paged.push(...page.Contents.map((o) => o.Key));
  }
  assert.deepEqual(paged, keys);

  const after = await s3.send(new ListObjectsV2Command({ Bucket: "logs", StartAfter: "img/raw/3.raw" }));
  assert.equal(after.StartAfter, "img/raw/3.raw");
  assert.deepEqual(
    after.Contents.map((o) => o.Key),
    ["logs/x", "z z.txt"],
  );
  // encoding-type=url: the SDK passes the encoded keys through as S3 sends them.
  const encoded = await s3.send(new ListObjectsV2Command({ Bucket: "logs", Prefix: "z", EncodingType: "url" }));
  assert.equal(encoded.EncodingType, "url");
  assert.deepEqual(
    encoded.Contents.map((o) => o.Key),
    ["z+z.txt"],
  );

  const badToken = await failure(s3.send(new ListObjectsV2Command({ Bucket: "logs", ContinuationToken: "%%%" })));
  assert.equal(badToken.name, "InvalidArgument");
  assert.equal(badToken.message, "The continuation token provided is incorrect");
  assert.equal(badToken.ArgumentName, "continuation-token");
});

test("virtual-hosted-style requests (the bucket in the Host header)", async () => {
  const { s3 } = clients({ forcePathStyle: false });
  await s3.send(new CreateBucketCommand({ Bucket: "vhost.example" }));
  await s3.send(new PutObjectCommand({ Bucket: "vhost.example", Key: "dir/a b.txt", Body: "virtual" }));
  const got = await s3.send(new GetObjectCommand({ Bucket: "vhost.example", Key: "dir/a b.txt" }));
  assert.equal(await got.Body.transformToString(), "virtual");
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: "vhost.example" }));
  assert.deepEqual(
    listed.Contents.map((o) => o.Key),
    ["dir/a b.txt"],
  );
});

test("Put/GetBucketNotificationConfiguration: round trip and the s3:TestEvent", async () => {
  const { s3, sqs } = clients();
  await s3.send(new CreateBucketCommand({ Bucket: "uploads" }));
  const images = await s3Queue(sqs, "images", "uploads");
  const removals = await s3Queue(sqs, "removals", "uploads");

  const empty = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: "uploads" }));
  assert.equal(empty.QueueConfigurations, undefined);

  const configuration = {
    QueueConfigurations: [
      {
        Id: "new-images",
        QueueArn: images.QueueArn,
        Events: ["s3:ObjectCreated:*"],
        Filter: {
          Key: {
            FilterRules: [
              { Name: "prefix", Value: "images/" },
              { Name: "suffix", Value: ".jpg" },
            ],
          },
        },
      },
      { Id: "removed", QueueArn: removals.QueueArn, Events: ["s3:ObjectRemoved:*"] },
    ],
  };
  const put = await s3.send(
    new PutBucketNotificationConfigurationCommand({ Bucket: "uploads", NotificationConfiguration: configuration }),
  );
  assert.equal(put.$metadata.httpStatusCode, 200);

  const got = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: "uploads" }));
  // S3 answers filter rule names capitalised.
  assert.deepEqual(got.QueueConfigurations, [
    {
      Id: "new-images",
      QueueArn: images.QueueArn,
      Events: ["s3:ObjectCreated:*"],
      Filter: {
        Key: {
          FilterRules: [
            { Name: "Prefix", Value: "images/" },
            { Name: "Suffix", Value: ".jpg" },
          ],
        },
      },
    },
    { Id: "removed", QueueArn: removals.QueueArn, Events: ["s3:ObjectRemoved:*"] },
  ]);

  // Each destination first gets S3's test event.
  const [test] = await receive(sqs, images.QueueUrl);
  assert.deepEqual(
    [JSON.parse(test.Body).Service, JSON.parse(test.Body).Event, JSON.parse(test.Body).Bucket],
    ["Amazon S3", "s3:TestEvent", "uploads"],
  );
  await receive(sqs, removals.QueueUrl);

  await s3.send(new PutObjectCommand({ Bucket: "uploads", Key: "images/red flower.jpg", Body: "pixels" }));
  await s3.send(new PutObjectCommand({ Bucket: "uploads", Key: "images/notes.txt", Body: "skipped" }));
  const [created] = await receive(sqs, images.QueueUrl);
  const record = JSON.parse(created.Body).Records[0];
  assert.equal(record.eventSource, "aws:s3");
  assert.equal(record.eventName, "ObjectCreated:Put");
  assert.equal(record.s3.configurationId, "new-images");
  assert.equal(record.s3.bucket.name, "uploads");
  assert.equal(record.s3.object.key, "images/red+flower.jpg");
  assert.equal(record.s3.object.size, 6);
  assert.deepEqual(await receive(sqs, images.QueueUrl), []);

  await s3.send(new DeleteObjectCommand({ Bucket: "uploads", Key: "images/red flower.jpg" }));
  const [removed] = await receive(sqs, removals.QueueUrl);
  assert.equal(JSON.parse(removed.Body).Records[0].eventName, "ObjectRemoved:Delete");

  // An empty configuration turns notifications off.
  await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: "uploads", NotificationConfiguration: {} }));
  const off = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: "uploads" }));
  assert.equal(off.QueueConfigurations, undefined);
});

test("overlapping configurations are refused with AWS's InvalidArgument", async () => {
  const { s3, sqs } = clients();
  await s3.send(new CreateBucketCommand({ Bucket: "uploads" }));
  const a = await s3Queue(sqs, "a", "uploads");
  const b = await s3Queue(sqs, "b", "uploads");
  const put = (QueueConfigurations) =>
    s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: "uploads", NotificationConfiguration: { QueueConfigurations } }));
  const prefix = (Value) => ({ Key: { FilterRules: [{ Name: "prefix", Value }] } });

  const same = await failure(
    put([
      { QueueArn: a.QueueArn, Events: ["s3:ObjectCreated:*"] },
      { QueueArn: b.QueueArn, Events: ["s3:ObjectCreated:Put"] },
    ]),
  );
  assert.equal(same.name, "InvalidArgument");
  assert.equal(same.$metadata.httpStatusCode, 400);
  assert.equal(same.message, "Configurations overlap. Configurations on the same bucket cannot share a common event type.");

  const nested = await failure(
    put([
      { QueueArn: a.QueueArn, Events: ["s3:ObjectCreated:*"], Filter: prefix("images/") },
      { QueueArn: b.QueueArn, Events: ["s3:ObjectCreated:*"], Filter: prefix("images/raw/") },
    ]),
  );
  assert.equal(nested.name, "InvalidArgument");
  assert.equal(
    nested.message,
    "Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are overlapping for the same event type.",
  );

  // Disjoint prefixes, or different event types, are fine.
  await put([
    { QueueArn: a.QueueArn, Events: ["s3:ObjectCreated:*"], Filter: prefix("images/") },
    { QueueArn: b.QueueArn, Events: ["s3:ObjectCreated:*"], Filter: prefix("docs/") },
  ]);
  await put([
    { QueueArn: a.QueueArn, Events: ["s3:ObjectCreated:*"] },
    { QueueArn: b.QueueArn, Events: ["s3:ObjectRemoved:*"] },
  ]);

  const badEvent = await failure(put([{ QueueArn: a.QueueArn, Events: ["s3:ObjectTouched"] }]));
  assert.equal(badEvent.name, "InvalidArgument");
  assert.equal(badEvent.message, "The event is not supported for notifications");
  const badRule = await failure(
    put([{ QueueArn: a.QueueArn, Events: ["s3:ObjectCreated:*"], Filter: { Key: { FilterRules: [{ Name: "infix", Value: "x" }] } } }]),
  );
  assert.equal(badRule.name, "InvalidArgument");
  assert.equal(badRule.message, "filter rule name must be either prefix or suffix");
  const twoPrefixes = await failure(
    put([
      {
        QueueArn: a.QueueArn,
        Events: ["s3:ObjectCreated:*"],
        Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "a" }, { Name: "Prefix", Value: "b" }] } },
      },
    ]),
  );
  assert.equal(twoPrefixes.message, "Cannot specify more than one prefix rule in a filter.");
});

test("destinations S3 cannot validate are refused", async () => {
  const { s3, sqs, sns } = clients();
  await s3.send(new CreateBucketCommand({ Bucket: "uploads" }));
  // A queue whose policy does not let S3 send, a queue that does not exist, a topic whose
  // policy lets S3 publish only for another bucket.
  await sqs.send(new CreateQueueCommand({ QueueName: "closed" }));
  const Policy = allow("s3.amazonaws.com", "sns:Publish", topicArn("other"), "arn:aws:s3:::other-bucket");
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "other", Attributes: { Policy } }));
  for (const NotificationConfiguration of [
    { QueueConfigurations: [{ QueueArn: queueArn("closed"), Events: ["s3:ObjectCreated:*"] }] },
    { QueueConfigurations: [{ QueueArn: queueArn("missing"), Events: ["s3:ObjectCreated:*"] }] },
    { TopicConfigurations: [{ TopicArn, Events: ["s3:ObjectCreated:*"] }] },
  ]) {
    const err = await failure(
      s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: "uploads", NotificationConfiguration })),
    );
    assert.equal(err.name, "InvalidArgument");
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.equal(err.message, "Unable to validate the following destination configurations");
    const arn = (NotificationConfiguration.QueueConfigurations?.[0] ?? NotificationConfiguration.TopicConfigurations[0]);
    assert.equal(err.ArgumentName1, arn.QueueArn ?? arn.TopicArn);
  }
  // Nothing was stored.
  const got = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: "uploads" }));
  assert.equal(got.QueueConfigurations, undefined);
  assert.equal(got.TopicConfigurations, undefined);
});

test("an upload fans out through an SNS topic to two SQS queues (the course's scenario)", async () => {
  const { s3, sqs, sns } = clients();
  await s3.send(new CreateBucketCommand({ Bucket: "orders-inbox" }));
  const topicPolicy = allow("s3.amazonaws.com", "sns:Publish", topicArn("new-orders"), "arn:aws:s3:::orders-inbox");
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "new-orders", Attributes: { Policy: topicPolicy } }));
  const queues = [];
  for (const name of ["billing", "shipping"]) {
    const Policy = allow("sns.amazonaws.com", "sqs:SendMessage", queueArn(name), TopicArn);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { Policy } }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn(name) }));
    queues.push(QueueUrl);
  }
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: "orders-inbox",
      NotificationConfiguration: {
        TopicConfigurations: [
          {
            Id: "incoming-orders",
            TopicArn,
            Events: ["s3:ObjectCreated:*"],
            Filter: { Key: { FilterRules: [{ Name: "suffix", Value: ".json" }] } },
          },
        ],
      },
    }),
  );
  const { TopicConfigurations } = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: "orders-inbox" }));
  assert.equal(TopicConfigurations[0].TopicArn, TopicArn);

  await s3.send(new PutObjectCommand({ Bucket: "orders-inbox", Key: "2026/order-17.json", Body: '{"id":17}' }));
  for (const QueueUrl of queues) {
    const messages = await receive(sqs, QueueUrl);
    // First S3's test event, then the upload, each in SNS's envelope.
    assert.equal(messages.length, 2);
    const envelopes = messages.map((m) => JSON.parse(m.Body));
    assert.deepEqual(
      envelopes.map((e) => [e.Type, e.TopicArn, e.Subject]),
      [
        ["Notification", TopicArn, "Amazon S3 Notification"],
        ["Notification", TopicArn, "Amazon S3 Notification"],
      ],
    );
    assert.equal(JSON.parse(envelopes[0].Message).Event, "s3:TestEvent");
    const [record] = JSON.parse(envelopes[1].Message).Records;
    assert.equal(record.eventName, "ObjectCreated:Put");
    assert.equal(record.s3.configurationId, "incoming-orders");
    assert.equal(record.s3.bucket.arn, "arn:aws:s3:::orders-inbox");
    assert.equal(record.s3.object.key, "2026/order-17.json");
    assert.equal(record.s3.object.eTag, createHash("md5").update('{"id":17}').digest("hex"));
  }
});
