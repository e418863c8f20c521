// Kinesis Data Streams through the real SDK (@aws-sdk/client-kinesis, AWS JSON
// 1.1) against the engine: every action Decouple simulates, routing by MD5 of
// the partition key, sequence numbers, iterators, per-shard throttling,
// retention, resharding with parent/child shards, and errors as the SDK
// surfaces them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  KinesisClient,
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DecreaseStreamRetentionPeriodCommand,
  DeleteStreamCommand,
  DeregisterStreamConsumerCommand,
  DescribeLimitsCommand,
  DescribeStreamCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  IncreaseStreamRetentionPeriodCommand,
  ListShardsCommand,
  ListStreamConsumersCommand,
  ListStreamsCommand,
  ListTagsForStreamCommand,
  MergeShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  RegisterStreamConsumerCommand,
  RemoveTagsFromStreamCommand,
  SplitShardCommand,
  SubscribeToShardCommand,
  UpdateShardCountCommand,
  UpdateStreamModeCommand,
  ExpiredIteratorException,
  InvalidArgumentException,
  LimitExceededException,
  ProvisionedThroughputExceededException,
  ResourceInUseException,
  ResourceNotFoundException,
  ValidationException,
} from "@aws-sdk/client-kinesis";
import { Engine, handler, failure, ACCOUNT, REGION, START } from "./helpers.mjs";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const streamArn = (name) => `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${name}`;

function client() {
  const engine = new Engine({ seed: 3, accountId: ACCOUNT, region: REGION, startTime: START });
  const kinesis = new KinesisClient({
    region: REGION,
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    requestHandler: handler(engine),
    maxAttempts: 1,
  });
  return { engine, kinesis };
}

/** A provisioned stream, waited on in virtual time until ACTIVE. */
async function stream(engine, kinesis, StreamName, ShardCount) {
  await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount }));
  const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName }));
  assert.equal(StreamDescriptionSummary.StreamStatus, "CREATING");
  engine.advance(10_000);
}

const put = (kinesis, StreamName, PartitionKey, text) =>
  kinesis.send(new PutRecordCommand({ StreamName, PartitionKey, Data: encoder.encode(text) }));

async function read(kinesis, StreamName, ShardId, ShardIteratorType = "TRIM_HORIZON", extra = {}) {
  const { ShardIterator } = await kinesis.send(
    new GetShardIteratorCommand({ StreamName, ShardId, ShardIteratorType, ...extra }),
  );
  return kinesis.send(new GetRecordsCommand({ ShardIterator }));
}

const texts = (records) => records.map((r) => decoder.decode(r.Data));

test("a stream is created, described, listed and deleted in virtual time", async () => {
  const { engine, kinesis } = client();
  await stream(engine, kinesis, "orders", 2);
  const { StreamDescription: d } = await kinesis.send(new DescribeStreamCommand({ StreamName: "orders" }));
  assert.equal(d.StreamStatus, "ACTIVE");
  assert.equal(d.StreamARN, streamArn("orders"));
  assert.equal(d.RetentionPeriodHours, 24);
  assert.deepEqual(d.StreamCreationTimestamp, new Date(START));
  assert.deepEqual(
    d.Shards.map((s) => [s.ShardId, s.HashKeyRange.StartingHashKey]),
    [
      ["shardId-000000000000", "0"],
      ["shardId-000000000001", "170141183460469231731687303715884105728"],
    ],
  );
  const list = await kinesis.send(new ListStreamsCommand({}));
  assert.deepEqual(list.StreamNames, ["orders"]);
  assert.equal(list.StreamSummaries[0].StreamModeDetails.StreamMode, "PROVISIONED");

  await kinesis.send(new DeleteStreamCommand({ StreamName: "orders" }));
  const { StreamDescriptionSummary: s } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "orders" }));
  assert.equal(s.StreamStatus, "DELETING");
  engine.advance(10_000);
  const err = await failure(kinesis.send(new DescribeStreamCommand({ StreamName: "orders" })));
  assert.ok(err instanceof ResourceNotFoundException);
  assert.equal(err.message, `Stream orders under account ${ACCOUNT} not found.`);
  assert.equal(err.$metadata.httpStatusCode, 400);
});

test("records route by the MD5 of their partition key and read back in order", async () => {
  const { engine, kinesis } = client();
  await stream(engine, kinesis, "s", 4);
  // MD5("1") as a 128-bit number falls in the fourth quarter of the hash space.
  const md5 = BigInt(`0x${createHash("md5").update("1").digest("hex")}`);
  assert.equal(md5, 261578874264819908609102035485573088411n);
  const first = await put(kinesis, "s", "1", "one");
  assert.equal(first.ShardId, "shardId-000000000003");
  const second = await put(kinesis, "s", "1", "two");
  assert.ok(BigInt(second.SequenceNumber) > BigInt(first.SequenceNumber));

  const page = await read(kinesis, "s", "shardId-000000000003");
  assert.deepEqual(texts(page.Records), ["one", "two"]);
  assert.equal(page.Records[0].PartitionKey, "1");
  assert.equal(page.Records[0].SequenceNumber, first.SequenceNumber);
  assert.deepEqual(page.Records[0].ApproximateArrivalTimestamp, new Date(START + 10_000));
  assert.equal(page.MillisBehindLatest, 0);
  assert.ok(page.NextShardIterator);

  const after = await read(kinesis, "s", "shardId-000000000003", "AFTER_SEQUENCE_NUMBER", {
    StartingSequenceNumber: first.SequenceNumber,
  });
  assert.deepEqual(texts(after.Records), ["two"]);
  const latest = await read(kinesis, "s", "shardId-000000000003", "LATEST");
  assert.deepEqual(latest.Records, []);
  const atTime = await read(kinesis, "s", "shardId-000000000003", "AT_TIMESTAMP", { Timestamp: new Date(START) });
  assert.deepEqual(texts(atTime.Records), ["one", "two"]);
});

test("PutRecords reports throttled entries one by one when a shard passes 1,000 records/s", async () => {
  const { engine, kinesis } = client();
  await stream(engine, kinesis, "s", 1);
  const batch = (n) => Array.from({ length: n }, (_, i) => ({ PartitionKey: `k${i}`, Data: encoder.encode("x") }));
  for (let i = 0; i < 2; i++) {
    const ok = await kinesis.send(new PutRecordsCommand({ StreamName: "s", Records: batch(500) }));
    assert.equal(ok.FailedRecordCount, 0);
  }
  const over = await kinesis.send(new PutRecordsCommand({ StreamName: "s", Records: batch(2) }));
  assert.equal(over.FailedRecordCount, 2);
  assert.equal(over.Records[0].ErrorCode, "ProvisionedThroughputExceededException");
  assert.equal(
    over.Records[0].ErrorMessage,
    `Rate exceeded for shard shardId-000000000000 in stream s under account ${ACCOUNT}.`,
  );
  const err = await failure(put(kinesis, "s", "k", "x"));
  assert.ok(err instanceof ProvisionedThroughputExceededException);
  engine.advance(1_000);
  await put(kinesis, "s", "k", "x");

  const tooMany = await failure(kinesis.send(new PutRecordsCommand({ StreamName: "s", Records: batch(501) })));
  assert.ok(tooMany instanceof ValidationException);
});

test("reads are limited to five calls per second per shard, and iterators expire after five minutes", async () => {
  const { engine, kinesis } = client();
  await stream(engine, kinesis, "s", 1);
  let { ShardIterator } = await kinesis.send(
    new GetShardIteratorCommand({ StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }),
  );
  const first = ShardIterator;
  for (let i = 0; i < 5; i++) {
    ({ NextShardIterator: ShardIterator } = await kinesis.send(new GetRecordsCommand({ ShardIterator })));
  }
  const throttled = await failure(kinesis.send(new GetRecordsCommand({ ShardIterator })));
  assert.ok(throttled instanceof ProvisionedThroughputExceededException);
  assert.equal(throttled.message, `Rate exceeded for Shard - ${ACCOUNT}/s/shardId-000000000000`);

  engine.advance(5 * 60_000 + 1);
  const expired = await failure(kinesis.send(new GetRecordsCommand({ ShardIterator: first })));
  assert.ok(expired instanceof ExpiredIteratorException);
  assert.match(expired.message, /^Iterator expired\. The iterator was created at time Thu Jan 01 00:00:10 UTC 2026/);
  const garbage = await failure(kinesis.send(new GetRecordsCommand({ ShardIterator: "AAAA" })));
  assert.ok(garbage instanceof InvalidArgumentException);
  assert.equal(garbage.message, "Invalid ShardIterator.");
});

test("splitting a shard closes it; its reader reaches the end and is told the children", async () => {
  const { engine, kinesis } = client();
  await stream(engine, kinesis, "s", 1);
  await put(kinesis, "s", "k", "before");
  const { ShardIterator } = await kinesis.send(
    new GetShardIteratorCommand({ StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }),
  );
  await kinesis.send(
    new SplitShardCommand({
      StreamName: "s",
      ShardToSplit: "shardId-000000000000",
      NewStartingHashKey: "170141183460469231731687303715884105728",
    }),
  );
  const busy = await failure(
    kinesis.send(new UpdateShardCountCommand({ StreamName: "s", TargetShardCount: 2, ScalingType: "UNIFORM_SCALING" })),
  );
  assert.ok(busy instanceof ResourceInUseException);
  assert.equal(busy.message, `Stream s under account ${ACCOUNT} not ACTIVE, instead in state UPDATING`);
  engine.advance(10_000);

  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: "s" }))).Shards;
  assert.equal(shards.length, 3);
  assert.ok(shards[0].SequenceNumberRange.EndingSequenceNumber);
  assert.deepEqual(
    shards.slice(1).map((s) => s.ParentShardId),
    ["shardId-000000000000", "shardId-000000000000"],
  );
  const open = await kinesis.send(new ListShardsCommand({ StreamName: "s", ShardFilter: { Type: "AT_LATEST" } }));
  assert.deepEqual(
    open.Shards.map((s) => s.ShardId),
    ["shardId-000000000001", "shardId-000000000002"],
  );

  const end = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
  assert.deepEqual(texts(end.Records), ["before"]);
  assert.equal(end.NextShardIterator, undefined);
  assert.deepEqual(
    end.ChildShards.map((c) => [c.ShardId, c.ParentShards]),
    [
      ["shardId-000000000001", ["shardId-000000000000"]],
      ["shardId-000000000002", ["shardId-000000000000"]],
    ],
  );

  await kinesis.send(
    new MergeShardsCommand({
      StreamName: "s",
      ShardToMerge: "shardId-000000000001",
      AdjacentShardToMerge: "shardId-000000000002",
    }),
  );
  engine.advance(10_000);
  const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "s" }));
  assert.equal(StreamDescriptionSummary.OpenShardCount, 1);
});

test("UpdateShardCount scales uniformly within AWS's limits", async () => {
  const { engine, kinesis } = client();
  await stream(engine, kinesis, "s", 2);
  const over = await failure(
    kinesis.send(new UpdateShardCountCommand({ StreamName: "s", TargetShardCount: 5, ScalingType: "UNIFORM_SCALING" })),
  );
  assert.ok(over instanceof LimitExceededException);
  const r = await kinesis.send(
    new UpdateShardCountCommand({ StreamName: "s", TargetShardCount: 4, ScalingType: "UNIFORM_SCALING" }),
  );
  assert.deepEqual([r.CurrentShardCount, r.TargetShardCount, r.StreamARN], [2, 4, streamArn("s")]);
  engine.advance(30_000);
  const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "s" }));
  assert.equal(StreamDescriptionSummary.OpenShardCount, 4);
});

test("retention, tags and enhanced fan-out consumers", async () => {
  const { engine, kinesis } = client();
  await stream(engine, kinesis, "s", 1);
  await kinesis.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: "s", RetentionPeriodHours: 168 }));
  const shorter = await failure(
    kinesis.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: "s", RetentionPeriodHours: 48 })),
  );
  assert.ok(shorter instanceof InvalidArgumentException);
  await kinesis.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: "s", RetentionPeriodHours: 24 }));
  await put(kinesis, "s", "k", "old");
  engine.advance(24 * 3600_000);
  assert.deepEqual((await read(kinesis, "s", "shardId-000000000000")).Records, []);

  await kinesis.send(new AddTagsToStreamCommand({ StreamName: "s", Tags: { team: "data", env: "lab" } }));
  await kinesis.send(new RemoveTagsFromStreamCommand({ StreamName: "s", TagKeys: ["env"] }));
  const tags = await kinesis.send(new ListTagsForStreamCommand({ StreamName: "s" }));
  assert.deepEqual(tags.Tags, [{ Key: "team", Value: "data" }]);

  const { Consumer } = await kinesis.send(
    new RegisterStreamConsumerCommand({ StreamARN: streamArn("s"), ConsumerName: "dashboard" }),
  );
  assert.equal(Consumer.ConsumerStatus, "CREATING");
  engine.advance(5_000);
  const { ConsumerDescription } = await kinesis.send(
    new DescribeStreamConsumerCommand({ ConsumerARN: Consumer.ConsumerARN }),
  );
  assert.equal(ConsumerDescription.ConsumerStatus, "ACTIVE");
  const consumers = await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn("s") }));
  assert.deepEqual(
    consumers.Consumers.map((c) => c.ConsumerName),
    ["dashboard"],
  );
  await kinesis.send(new DeregisterStreamConsumerCommand({ StreamARN: streamArn("s"), ConsumerName: "dashboard" }));
  assert.deepEqual((await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn("s") }))).Consumers, []);
});

test("enhanced fan-out: SubscribeToShard streams events as virtual time moves", async () => {
  const { engine, kinesis } = client();
  await stream(engine, kinesis, "s", 1);
  await put(kinesis, "s", "k", "before");
  const { Consumer } = await kinesis.send(
    new RegisterStreamConsumerCommand({ StreamARN: streamArn("s"), ConsumerName: "efo" }),
  );
  engine.advance(5_000);
  const { EventStream } = await kinesis.send(
    new SubscribeToShardCommand({
      ConsumerARN: Consumer.ConsumerARN,
      ShardId: "shardId-000000000000",
      StartingPosition: { Type: "TRIM_HORIZON" },
    }),
  );
  const events = [];
  const reading = (async () => {
    for await (const event of EventStream) events.push(event.SubscribeToShardEvent);
  })();
  await put(kinesis, "s", "k", "after");
  engine.advance(1);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(
    events.map((e) => texts(e.Records)),
    [["before"], ["after"]],
  );
  assert.equal(events[1].ContinuationSequenceNumber, events[1].Records[0].SequenceNumber);
  assert.equal(events[1].MillisBehindLatest, 0);

  const again = await failure(
    kinesis.send(
      new SubscribeToShardCommand({
        ConsumerARN: Consumer.ConsumerARN,
        ShardId: "shardId-000000000000",
        StartingPosition: { Type: "LATEST" },
      }),
    ),
  );
  assert.ok(again instanceof ResourceInUseException);

  // Five minutes later the subscription ends and the stream closes.
  engine.advance(5 * 60_000);
  await reading;
  assert.equal(events.length, 2);
});

test("DescribeLimits counts open shards; UpdateStreamMode switches to on-demand after UPDATING", async () => {
  const { engine, kinesis } = client();
  await stream(engine, kinesis, "s", 2);
  const limits = await kinesis.send(new DescribeLimitsCommand({}));
  assert.deepEqual(
    [limits.ShardLimit, limits.OpenShardCount, limits.OnDemandStreamCount, limits.OnDemandStreamCountLimit],
    [500, 2, 0, 50],
  );
  await kinesis.send(
    new UpdateStreamModeCommand({ StreamARN: streamArn("s"), StreamModeDetails: { StreamMode: "ON_DEMAND" } }),
  );
  engine.advance(10_000);
  const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "s" }));
  assert.equal(StreamDescriptionSummary.StreamModeDetails.StreamMode, "ON_DEMAND");
  const refused = await failure(
    kinesis.send(new SplitShardCommand({ StreamName: "s", ShardToSplit: "shardId-000000000000", NewStartingHashKey: "5" })),
  );
  assert.ok(refused instanceof ValidationException);
});
