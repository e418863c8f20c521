// Amazon Data Firehose through the real SDK (@aws-sdk/client-firehose, AWS JSON
// 1.1) against the engine, delivering into buckets read back with the real
// @aws-sdk/client-s3 through the same engine: DirectPut delivery streams,
// PutRecord and PutRecordBatch, buffering by interval in virtual time with
// AWS's default object keys and custom prefixes (!{timestamp:...}, !{firehose:...}), the simulated Lambda transform, a Kinesis stream
// as the source, tags, the OpenSearch (Elasticsearch), Redshift and Splunk
// destinations, and errors as the SDK surfaces them.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  FirehoseClient,
  CreateDeliveryStreamCommand,
  DeleteDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  ListDeliveryStreamsCommand,
  ListTagsForDeliveryStreamCommand,
  PutRecordBatchCommand,
  PutRecordCommand,
  TagDeliveryStreamCommand,
  UntagDeliveryStreamCommand,
  InvalidArgumentException,
  ResourceInUseException,
  ResourceNotFoundException,
} from "@aws-sdk/client-firehose";
import { S3Client, CreateBucketCommand, GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { KinesisClient, CreateStreamCommand, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { Engine, handler, failure, ACCOUNT, REGION, START } from "./helpers.mjs";

const encoder = new TextEncoder();
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };
const ROLE = `arn:aws:iam::${ACCOUNT}:role/firehose`;
const CREATE_DELAY = 5_000;

/** A fresh engine with Firehose, S3 (path style) and Kinesis clients bound to it. */
function clients() {
  const engine = new Engine({ seed: 9, accountId: ACCOUNT, region: REGION, startTime: START });
  const options = { region: REGION, credentials, requestHandler: handler(engine), maxAttempts: 1 };
  return {
    engine,
    firehose: new FirehoseClient(options),
    s3: new S3Client({ ...options, forcePathStyle: true }),
    kinesis: new KinesisClient(options),
  };
}

const destination = (bucket, hints = { SizeInMBs: 1, IntervalInSeconds: 60 }, extra = {}) => ({
  RoleARN: ROLE,
  BucketARN: `arn:aws:s3:::${bucket}`,
  ...(hints ? { BufferingHints: hints } : {}),
  ...extra,
});

/** A DirectPut delivery stream into `bucket`, waited on in virtual time until ACTIVE. */
async function deliveryStream(engine, firehose, name, ExtendedS3DestinationConfiguration) {
  const created = await firehose.send(
    new CreateDeliveryStreamCommand({ DeliveryStreamName: name, DeliveryStreamType: "DirectPut", ExtendedS3DestinationConfiguration }),
  );
  assert.equal(created.DeliveryStreamARN, `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/${name}`);
  engine.advance(CREATE_DELAY);
}

/** Every object of a bucket as [key, text], in key order. */
async function objects(s3, Bucket, Prefix) {
  const list = await s3.send(new ListObjectsV2Command({ Bucket, Prefix }));
  const out = [];
  for (const { Key } of list.Contents ?? []) {
    const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
    out.push([Key, await got.Body.transformToString()]);
  }
  return out;
}

test("put records, advance virtual time, read the one object with S3", async () => {
  const { engine, firehose, s3 } = clients();
  await s3.send(new CreateBucketCommand({ Bucket: "lake" }));
  await deliveryStream(engine, firehose, "clicks", destination("lake", { SizeInMBs: 1, IntervalInSeconds: 60 }, { Prefix: "raw/" }));

  const one = await firehose.send(new PutRecordCommand({ DeliveryStreamName: "clicks", Record: { Data: encoder.encode('{"n":1}\n') } }));
  assert.equal(typeof one.RecordId, "string");
  assert.equal(one.Encrypted, false);
  const batch = await firehose.send(
    new PutRecordBatchCommand({
      DeliveryStreamName: "clicks",
      Records: [{ Data: encoder.encode('{"n":2}\n') }, { Data: encoder.encode('{"n":3}\n') }],
    }),
  );
  assert.equal(batch.FailedPutCount, 0);
  assert.equal(batch.RequestResponses.length, 2);
  assert.ok(batch.RequestResponses.every((r) => typeof r.RecordId === "string" && !r.ErrorCode));
  assert.notEqual(batch.RequestResponses[0].RecordId, one.RecordId);

  assert.deepEqual(await objects(s3, "lake"), [], "buffered until the interval ends");
  engine.advance(59_999);
  assert.deepEqual(await objects(s3, "lake"), []);
  engine.advance(1);
  const objs = await objects(s3, "lake");
  assert.equal(objs.length, 1);
  const [key, body] = objs[0];
  // <prefix>YYYY/MM/dd/HH/<name>-<version>-YYYY-MM-DD-HH-MM-SS-<uuid>, UTC, oldest record's arrival.
  assert.match(key, /^raw\/2026\/01\/01\/00\/clicks-1-2026-01-01-00-00-05-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(body, '{"n":1}\n{"n":2}\n{"n":3}\n', "records concatenated as-is");
});

test("describe, list, tags and delete answer in AWS's shapes", async () => {
  const { engine, firehose } = clients();
  await firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: "orders",
      S3DestinationConfiguration: destination("lake", null),
      Tags: [{ Key: "team", Value: "data" }],
    }),
  );
  let d = (await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "orders" }))).DeliveryStreamDescription;
  assert.equal(d.DeliveryStreamStatus, "CREATING");
  assert.equal(d.DeliveryStreamType, "DirectPut");
  assert.equal(d.VersionId, "1");
  assert.ok(d.CreateTimestamp instanceof Date);
  assert.equal(d.CreateTimestamp.getTime(), START);
  assert.equal(d.Destinations[0].DestinationId, "destinationId-000000000001");
  assert.deepEqual(d.Destinations[0].S3DestinationDescription.BufferingHints, { SizeInMBs: 5, IntervalInSeconds: 300 });
  assert.equal(d.HasMoreDestinations, false);
  engine.advance(CREATE_DELAY);
  d = (await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "orders" }))).DeliveryStreamDescription;
  assert.equal(d.DeliveryStreamStatus, "ACTIVE");

  const list = await firehose.send(new ListDeliveryStreamsCommand({}));
  assert.deepEqual(list.DeliveryStreamNames, ["orders"]);
  assert.equal(list.HasMoreDeliveryStreams, false);

  await firehose.send(new TagDeliveryStreamCommand({ DeliveryStreamName: "orders", Tags: [{ Key: "env", Value: "dev" }] }));
  await firehose.send(new UntagDeliveryStreamCommand({ DeliveryStreamName: "orders", TagKeys: ["team"] }));
  const tags = await firehose.send(new ListTagsForDeliveryStreamCommand({ DeliveryStreamName: "orders" }));
  assert.deepEqual(tags.Tags, [{ Key: "env", Value: "dev" }]);
  assert.equal(tags.HasMoreTags, false);

  await firehose.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: "orders" }));
  engine.advance(5_000);
  const gone = await failure(firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "orders" })));
  assert.ok(gone instanceof ResourceNotFoundException);
  assert.equal(gone.message, `Firehose orders under account ${ACCOUNT} not found.`);
  assert.equal(gone.$metadata.httpStatusCode, 400);
});

test("errors surface as the SDK's exception classes", async () => {
  const { engine, firehose, s3 } = clients();
  await s3.send(new CreateBucketCommand({ Bucket: "lake" }));
  await deliveryStream(engine, firehose, "s", destination("lake"));
  const dup = await failure(
    firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "s", ExtendedS3DestinationConfiguration: destination("lake") })),
  );
  assert.ok(dup instanceof ResourceInUseException);

  const missing = await failure(firehose.send(new PutRecordCommand({ DeliveryStreamName: "nope", Record: { Data: encoder.encode("x") } })));
  assert.ok(missing instanceof ResourceNotFoundException);

  const tooBig = await failure(
    firehose.send(new PutRecordCommand({ DeliveryStreamName: "s", Record: { Data: new Uint8Array(1_024_001) } })),
  );
  assert.equal(tooBig.name, "ValidationException");
  assert.match(tooBig.message, /Member must have length less than or equal to 1024000$/);

  const tooMany = await failure(
    firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: "s", Records: Array.from({ length: 501 }, () => ({ Data: encoder.encode("x") })) })),
  );
  assert.equal(tooMany.name, "ValidationException");
  assert.match(tooMany.message, /at 'records' failed to satisfy constraint: Member must have length less than or equal to 500$/);

  const badHints = await failure(
    firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "t",
        ExtendedS3DestinationConfiguration: destination("lake", { SizeInMBs: 129, IntervalInSeconds: 60 }),
      }),
    ),
  );
  assert.equal(badHints.name, "ValidationException");
  assert.match(badHints.message, /bufferingHints\.sizeInMBs' failed to satisfy constraint: Member must have value less than or equal to 128$/);
});

test("a Lambda processor transforms, drops and fails records; failures go under processing-failed", async () => {
  const { engine, firehose, s3 } = clients();
  await s3.send(new CreateBucketCommand({ Bucket: "lake" }));
  const lambda = (name) => ({
    Enabled: true,
    Processors: [{ Type: "Lambda", Parameters: [{ ParameterName: "LambdaArn", ParameterValue: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}` }] }],
  });
  await deliveryStream(
    engine,
    firehose,
    "up",
    destination("lake", { SizeInMBs: 1, IntervalInSeconds: 0 }, { Prefix: "up/", ProcessingConfiguration: lambda("uppercase") }),
  );
  await deliveryStream(
    engine,
    firehose,
    "picky",
    destination("lake", { SizeInMBs: 1, IntervalInSeconds: 60 }, {
      Prefix: "ok/",
      ErrorOutputPrefix: "err/",
      ProcessingConfiguration: lambda("fail-if-contains-bad"),
    }),
  );
  await firehose.send(new PutRecordCommand({ DeliveryStreamName: "up", Record: { Data: encoder.encode("hello;") } }));
  assert.deepEqual((await objects(s3, "lake", "up/")).map(([, body]) => body), ["HELLO;"]);

  await firehose.send(
    new PutRecordBatchCommand({
      DeliveryStreamName: "picky",
      Records: ["good;", "bad;", "fine;"].map((s) => ({ Data: encoder.encode(s) })),
    }),
  );
  engine.advance(60_000);
  assert.deepEqual((await objects(s3, "lake", "ok/")).map(([, body]) => body), ["good;fine;"]);
  const errors = await objects(s3, "lake", "err/");
  assert.equal(errors.length, 1);
  assert.match(errors[0][0], /^err\/processing-failed\/2026\/01\/01\/00\/picky-1-/);
  const failed = JSON.parse(errors[0][1].trim());
  assert.equal(Buffer.from(failed.rawData, "base64").toString(), "bad;");
  assert.equal(failed.lambdaArn, `arn:aws:lambda:${REGION}:${ACCOUNT}:function:fail-if-contains-bad`);
});

test("a Kinesis stream as the source: records put to the stream reach S3", async () => {
  const { engine, firehose, s3, kinesis } = clients();
  await s3.send(new CreateBucketCommand({ Bucket: "lake" }));
  await kinesis.send(new CreateStreamCommand({ StreamName: "events", ShardCount: 1 }));
  engine.advance(10_000);
  await firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: "from-kinesis",
      DeliveryStreamType: "KinesisStreamAsSource",
      KinesisStreamSourceConfiguration: { KinesisStreamARN: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/events`, RoleARN: ROLE },
      ExtendedS3DestinationConfiguration: destination("lake", { SizeInMBs: 1, IntervalInSeconds: 60 }),
    }),
  );
  engine.advance(CREATE_DELAY);
  const refused = await failure(
    firehose.send(new PutRecordCommand({ DeliveryStreamName: "from-kinesis", Record: { Data: encoder.encode("x") } })),
  );
  assert.ok(refused instanceof InvalidArgumentException);
  assert.equal(refused.message, "This operation is not permitted on KinesisStreamAsSource delivery stream type.");
  await kinesis.send(
    new PutRecordsCommand({
      StreamName: "events",
      Records: ["a;", "b;", "c;"].map((s) => ({ Data: encoder.encode(s), PartitionKey: "k" })),
    }),
  );
  engine.advance(62_000);
  assert.deepEqual((await objects(s3, "lake")).map(([, body]) => body), ["a;b;c;"]);
});

test("OpenSearch, Elasticsearch, Redshift and Splunk destinations are created and described in AWS's shapes", async () => {
  const { engine, firehose, s3 } = clients();
  await s3.send(new CreateBucketCommand({ Bucket: "staging" }));
  const s3Configuration = destination("staging", null);
  const create = (DeliveryStreamName, config) =>
    firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName, DeliveryStreamType: "DirectPut", ...config }));
  await create("search", {
    AmazonopensearchserviceDestinationConfiguration: {
      RoleARN: ROLE,
      DomainARN: `arn:aws:es:${REGION}:${ACCOUNT}:domain/logs`,
      IndexName: "clicks",
      IndexRotationPeriod: "OneMonth",
      BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 },
      S3Configuration: s3Configuration,
    },
  });
  await create("legacy", {
    ElasticsearchDestinationConfiguration: {
      RoleARN: ROLE, ClusterEndpoint: "https://search.example.com", IndexName: "logs", S3Configuration: s3Configuration,
    },
  });
  await create("warehouse", {
    RedshiftDestinationConfiguration: {
      RoleARN: ROLE,
      ClusterJDBCURL: "jdbc:redshift://dw.abc123.us-east-1.redshift.amazonaws.com:5439/analytics",
      CopyCommand: { DataTableName: "clicks", CopyOptions: "JSON 'auto'" },
      Username: "loader",
      Password: "secret",
      S3Configuration: s3Configuration,
    },
  });
  await create("events", {
    SplunkDestinationConfiguration: {
      HECEndpoint: "https://splunk.example.com:8088", HECEndpointType: "Event", HECToken: "token", S3Configuration: s3Configuration,
    },
  });
  engine.advance(CREATE_DELAY);
  const describe = async (name) =>
    (await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }))).DeliveryStreamDescription.Destinations[0];

  const search = (await describe("search")).AmazonopensearchserviceDestinationDescription;
  assert.equal(search.IndexName, "clicks");
  assert.equal(search.IndexRotationPeriod, "OneMonth");
  assert.deepEqual(search.BufferingHints, { IntervalInSeconds: 60, SizeInMBs: 1 });
  assert.deepEqual(search.RetryOptions, { DurationInSeconds: 300 });
  assert.equal(search.S3BackupMode, "FailedDocumentsOnly");
  assert.equal(search.S3DestinationDescription.BucketARN, "arn:aws:s3:::staging");
  const legacy = (await describe("legacy")).ElasticsearchDestinationDescription;
  assert.equal(legacy.IndexRotationPeriod, "OneDay", "AWS's default rotation");
  assert.equal(legacy.ClusterEndpoint, "https://search.example.com");
  const warehouse = (await describe("warehouse")).RedshiftDestinationDescription;
  assert.deepEqual(warehouse.CopyCommand, { DataTableName: "clicks", CopyOptions: "JSON 'auto'" });
  assert.equal(warehouse.Username, "loader");
  assert.equal(warehouse.Password, undefined, "the password is never described");
  assert.deepEqual(warehouse.RetryOptions, { DurationInSeconds: 3600 });
  const events = (await describe("events")).SplunkDestinationDescription;
  assert.deepEqual(events.BufferingHints, { IntervalInSeconds: 60, SizeInMBs: 5 });
  assert.equal(events.HECAcknowledgmentTimeoutInSeconds, 180);

  // Redshift: each buffer is an object in the intermediate bucket, then a COPY.
  await firehose.send(new PutRecordCommand({ DeliveryStreamName: "warehouse", Record: { Data: encoder.encode('{"page":"/"}') } }));
  engine.advance(300_000);
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: "staging" }));
  assert.equal(listed.KeyCount, 1);
  assert.match(listed.Contents[0].Key, /^2026\/01\/01\/00\/warehouse-1-2026-01-01-00-00-05-/);

  const err = await failure(create("bad", {
    SplunkDestinationConfiguration: {
      HECEndpoint: "https://splunk.example.com:8088", HECEndpointType: "Json", S3Configuration: s3Configuration,
    },
  }));
  assert.equal(err.name, "ValidationException");
  assert.match(err.message, /Member must satisfy enum value set: \[Raw, Event\]/);
});

test("a custom prefix names the objects; an invalid one is refused with AWS's InvalidArgumentException", async () => {
  const { engine, firehose, s3 } = clients();
  await s3.send(new CreateBucketCommand({ Bucket: "lake" }));
  const failing = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:fail-if-contains-bad`;
  await deliveryStream(
    engine,
    firehose,
    "logs",
    destination("lake", { SizeInMBs: 1, IntervalInSeconds: 60 }, {
      Prefix: "logs/!{timestamp:yyyy/MM/dd}/rand=!{firehose:random-string}/",
      ErrorOutputPrefix: "errors/!{firehose:error-output-type}/!{timestamp:'year='yyyy}/",
      ProcessingConfiguration: {
        Enabled: true,
        Processors: [{ Type: "Lambda", Parameters: [{ ParameterName: "LambdaArn", ParameterValue: failing }] }],
      },
    }),
  );
  const described = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "logs" }));
  const s3Description = described.DeliveryStreamDescription.Destinations[0].ExtendedS3DestinationDescription;
  assert.equal(s3Description.Prefix, "logs/!{timestamp:yyyy/MM/dd}/rand=!{firehose:random-string}/");
  assert.equal(s3Description.ErrorOutputPrefix, "errors/!{firehose:error-output-type}/!{timestamp:'year='yyyy}/");

  await firehose.send(
    new PutRecordBatchCommand({
      DeliveryStreamName: "logs",
      Records: ["good;", "bad;", "fine;"].map((s) => ({ Data: encoder.encode(s) })),
    }),
  );
  engine.advance(60_000);
  const delivered = await objects(s3, "lake", "logs/");
  assert.equal(delivered.length, 1);
  // Evaluated at the oldest record's arrival (00:00:05 UTC on 2026-01-01); no default time path after a timestamp.
  assert.match(delivered[0][0], /^logs\/2026\/01\/01\/rand=[0-9a-f]{11}\/logs-1-2026-01-01-00-00-05-[0-9a-f-]{36}$/);
  assert.equal(delivered[0][1], "good;fine;");
  const failed = await objects(s3, "lake", "errors/");
  assert.equal(failed.length, 1);
  assert.match(failed[0][0], /^errors\/processing-failed\/year=2026\/logs-1-2026-01-01-00-00-05-/);
  assert.equal(JSON.parse(failed[0][1].trim()).errorCode, "Lambda.ProcessingFailed");

  const refused = await failure(
    firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "no-error-prefix",
        ExtendedS3DestinationConfiguration: destination("lake", null, { Prefix: "logs/!{timestamp:yyyy}/" }),
      }),
    ),
  );
  assert.ok(refused instanceof InvalidArgumentException);
  assert.equal(
    refused.message,
    "Ths supplied prefix(es) do not satisfy the following constraint: ErrorOutputPrefix cannot be null or empty when Prefix contains expressions",
  );
  const inPrefix = await failure(
    firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "type-in-prefix",
        ExtendedS3DestinationConfiguration: destination("lake", null, {
          Prefix: "!{firehose:error-output-type}/",
          ErrorOutputPrefix: "errors/!{firehose:error-output-type}/",
        }),
      }),
    ),
  );
  assert.ok(inPrefix instanceof InvalidArgumentException);
  assert.match(inPrefix.message, /Prefix cannot contain !\{firehose:error-output-type\}/);
});
