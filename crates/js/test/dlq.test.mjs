// Dead-letter queues and redrive through the real SDK: redrive policies,
// ListDeadLetterSourceQueues, and message move tasks on the virtual clock.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CancelMessageMoveTaskCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { setup, failure, queueArn, queueUrl } from "./helpers.mjs";

async function withDlq(sqs, maxReceiveCount = 2) {
  const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: "dlq" }))).QueueUrl;
  const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: queueArn("dlq"), maxReceiveCount });
  const src = (await sqs.send(new CreateQueueCommand({ QueueName: "work", Attributes: { RedrivePolicy, VisibilityTimeout: "10" } }))).QueueUrl;
  return { dlq, src };
}

async function count(sqs, QueueUrl) {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }));
  return Number(Attributes.ApproximateNumberOfMessages);
}

/** Receives and "crashes" (never deletes) `times` times, letting visibility run out each time. */
async function failToProcess(sqs, engine, QueueUrl, times) {
  for (let i = 0; i < times; i++) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    assert.equal(r.Messages?.length, 1, `receive ${i + 1}`);
    engine.advance(10_000);
  }
}

test("after maxReceiveCount receives a message moves to the dead-letter queue", async () => {
  const { sqs, engine } = setup();
  const { dlq, src } = await withDlq(sqs, 2);
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl: src, MessageBody: "poison" }));
  await failToProcess(sqs, engine, src, 2);
  assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl: src }))).Messages, undefined);
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MessageSystemAttributeNames: ["All"] }));
  assert.equal(Messages[0].MessageId, sent.MessageId);
  assert.equal(Messages[0].Body, "poison");
  assert.equal(Messages[0].Attributes.DeadLetterQueueSourceArn, queueArn("work"));
  const events = engine.drainEvents().map((e) => e.type);
  assert.ok(events.includes("MovedToDeadLetterQueue"), events.join());
});

test("ListDeadLetterSourceQueues lists the queues that redrive to a queue", async () => {
  const { sqs } = setup();
  const { dlq } = await withDlq(sqs);
  const r = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }));
  assert.deepEqual(r.queueUrls, [queueUrl("work")]);
  const other = (await sqs.send(new CreateQueueCommand({ QueueName: "lonely" }))).QueueUrl;
  const none = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: other }));
  assert.equal(none.queueUrls, undefined);
});

test("a redrive policy must name an existing queue of the same type", async () => {
  const { sqs } = setup();
  const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: queueArn("nowhere"), maxReceiveCount: 3 });
  const err = await failure(sqs.send(new CreateQueueCommand({ QueueName: "src", Attributes: { RedrivePolicy } })));
  assert.equal(err.name, "InvalidParameterValue");
});

test("StartMessageMoveTask redrives the dead-letter queue back to its source", async () => {
  const { sqs, engine } = setup();
  const { dlq, src } = await withDlq(sqs, 1);
  for (const body of ["a", "b", "c"]) await sqs.send(new SendMessageCommand({ QueueUrl: src, MessageBody: body }));
  for (let i = 0; i < 3; i++) await sqs.send(new ReceiveMessageCommand({ QueueUrl: src }));
  engine.advance(10_000);
  assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl: src, MaxNumberOfMessages: 10 }))).Messages, undefined);
  assert.equal(await count(sqs, dlq), 3);

  const notDlq = await failure(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: queueArn("work") })));
  assert.equal(notDlq.name, "InvalidParameterValue");
  assert.equal(notDlq.message, "Source queue must be configured as a Dead Letter Queue.");

  const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: queueArn("dlq"), MaxNumberOfMessagesPerSecond: 1 }));
  assert.ok(TaskHandle);
  const running = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: queueArn("dlq") }))).Results[0];
  assert.equal(running.Status, "RUNNING");
  assert.equal(running.TaskHandle, TaskHandle);
  assert.equal(running.SourceArn, queueArn("dlq"));
  assert.equal(running.MaxNumberOfMessagesPerSecond, 1);
  assert.equal(typeof running.StartedTimestamp, "number");
  const twice = await failure(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: queueArn("dlq") })));
  assert.equal(twice.name, "InvalidParameterValue");

  engine.runUntilIdle(60_000);
  const done = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: queueArn("dlq") }))).Results[0];
  assert.equal(done.Status, "COMPLETED");
  assert.equal(done.ApproximateNumberOfMessagesMoved, 3);
  assert.equal(done.TaskHandle, undefined, "AWS shows the handle only while the task runs");
  assert.equal(await count(sqs, dlq), 0);
  assert.equal(await count(sqs, src), 3);
});

test("CancelMessageMoveTask stops a running task", async () => {
  const { sqs, engine } = setup();
  const { dlq, src } = await withDlq(sqs, 1);
  for (const body of ["a", "b", "c", "d"]) await sqs.send(new SendMessageCommand({ QueueUrl: src, MessageBody: body }));
  for (let i = 0; i < 4; i++) await sqs.send(new ReceiveMessageCommand({ QueueUrl: src }));
  engine.advance(10_000);
  await sqs.send(new ReceiveMessageCommand({ QueueUrl: src, MaxNumberOfMessages: 10 }));
  assert.equal(await count(sqs, dlq), 4);
  const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: queueArn("dlq"), MaxNumberOfMessagesPerSecond: 1 }));
  engine.advance(1_500);
  const cancelled = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
  assert.equal(typeof cancelled.ApproximateNumberOfMessagesMoved, "number");
  assert.ok(cancelled.ApproximateNumberOfMessagesMoved < 4);
  const [task] = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: queueArn("dlq") }))).Results;
  assert.equal(task.Status, "CANCELLED");
  const again = await failure(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle })));
  assert.ok(["ResourceNotFoundException", "InvalidParameterValue"].includes(again.name), again.name);
  const unknown = await failure(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: "nope" })));
  assert.ok(["ResourceNotFoundException", "InvalidParameterValue"].includes(unknown.name), unknown.name);
});
