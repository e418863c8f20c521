// Bundled by esbuild for the browser test: the unmodified AWS SDK v3 SQS
// client, the web build of Decouple, and its request handler, in one page.
import init, { Engine } from "../../pkg-web/decouple_js.js";
import { handler } from "../../pkg-web/handler.mjs";
import {
  SQSClient,
  CreateQueueCommand,
  SendMessageCommand,
  ReceiveMessageCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
} from "@aws-sdk/client-sqs";

/** Runs a short SQS session in the page and reports what the SDK saw. */
window.runScenario = async () => {
  await init();
  const engine = new Engine({ seed: 7, accountId: "123456789012", region: "eu-west-1" });
  const sqs = new SQSClient({
    region: "eu-west-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    requestHandler: handler(engine),
    maxAttempts: 1,
  });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "browser-orders" }));
  const sent = await sqs.send(
    new SendMessageCommand({
      QueueUrl,
      MessageBody: "hello from the browser",
      MessageAttributes: { kind: { DataType: "String", StringValue: "greeting" } },
    }),
  );
  // A long poll on an empty queue would wait; this one finds the message at once.
  const received = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20, MessageAttributeNames: ["All"] }),
  );
  const message = received.Messages[0];
  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
  );
  let missing;
  try {
    await sqs.send(new SendMessageCommand({ QueueUrl: QueueUrl + "-nope", MessageBody: "x" }));
  } catch (err) {
    missing = err.name;
  }
  return {
    queueUrl: QueueUrl,
    sentId: sent.MessageId,
    receivedId: message.MessageId,
    body: message.Body,
    kind: message.MessageAttributes.kind.StringValue,
    md5: message.MD5OfBody,
    remaining: Attributes.ApproximateNumberOfMessages,
    missing,
  };
};
