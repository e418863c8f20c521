// The SQS Extended Client pattern, as the AWS extended client libraries do it:
// a payload above a threshold goes to an S3 bucket and the queue carries a
// pointer to it; the consumer side swaps the pointer back for the payload.
//
//   const ext = extendedClient({ sqs, s3, bucket: "large-payloads", commands });
//   await ext.sendMessage({ QueueUrl, MessageBody: big });   // big lands in S3
//   const { Messages } = await ext.receiveMessage({ QueueUrl }); // Body is `big` again
//   await ext.deleteMessage({ QueueUrl, ReceiptHandle: Messages[0].ReceiptHandle }); // both go
//
// Wire formats are the libraries' own, so a Java or Python consumer could read
// what this produces: the body `["software.amazon.payloadoffloading.PayloadS3Pointer",
// {"s3BucketName":…,"s3Key":…}]`, the message attribute `ExtendedPayloadSize`
// (Number, the payload's size in bytes), and receipt handles prefixed with
// `-..s3BucketName..-bucket-..s3BucketName..--..s3Key..-key-..s3Key..-`.
//
// Like handler.mjs this file has no imports: pass the SDK's command classes in
// `commands` ({ SendMessageCommand, ReceiveMessageCommand, DeleteMessageCommand,
// ChangeMessageVisibilityCommand } from @aws-sdk/client-sqs and { PutObjectCommand,
// GetObjectCommand, DeleteObjectCommand } from @aws-sdk/client-s3).

const POINTER_CLASS = "software.amazon.payloadoffloading.PayloadS3Pointer";
const LEGACY_POINTER_CLASS = "com.amazon.sqs.javamessaging.MessageS3Pointer";
const SIZE_ATTRIBUTE = "ExtendedPayloadSize";
const LEGACY_SIZE_ATTRIBUTE = "SQSLargePayloadSize";
const BUCKET_MARKER = "-..s3BucketName..-";
const KEY_MARKER = "-..s3Key..-";
/** The libraries' default: offload above 256 KiB (body plus attributes). */
const DEFAULT_THRESHOLD = 262144;

const utf8 = (s) => new TextEncoder().encode(s).length;

/** Bytes a message counts against the threshold, as SQS counts them. */
function messageSize(body, attributes = {}) {
  let size = utf8(body);
  for (const [name, v] of Object.entries(attributes)) {
    size += utf8(name) + utf8(v.DataType ?? "");
    if (v.StringValue != null) size += utf8(v.StringValue);
    if (v.BinaryValue != null) size += v.BinaryValue.length ?? 0;
  }
  return size;
}

function randomKey() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  return `${Date.now().toString(16)}-${Math.random().toString(16).slice(2)}`;
}

/** Splits an extended receipt handle into its S3 pointer and SQS's own handle. */
function parseHandle(handle) {
  if (!handle.startsWith(BUCKET_MARKER)) return { receiptHandle: handle };
  const bucketEnd = handle.indexOf(BUCKET_MARKER, BUCKET_MARKER.length);
  const keyStart = bucketEnd + BUCKET_MARKER.length + KEY_MARKER.length;
  const keyEnd = handle.indexOf(KEY_MARKER, keyStart);
  if (bucketEnd < 0 || keyEnd < 0) return { receiptHandle: handle };
  return {
    bucket: handle.slice(BUCKET_MARKER.length, bucketEnd),
    key: handle.slice(keyStart, keyEnd),
    receiptHandle: handle.slice(keyEnd + KEY_MARKER.length),
  };
}

/** The pointer in a message body, or null when the body is the payload itself. */
function parsePointer(body) {
  try {
    const doc = JSON.parse(body);
    if (Array.isArray(doc) && (doc[0] === POINTER_CLASS || doc[0] === LEGACY_POINTER_CLASS) && doc[1]?.s3Key) {
      return { bucket: doc[1].s3BucketName, key: doc[1].s3Key };
    }
  } catch {
    // Not JSON: an ordinary message.
  }
  return null;
}

function extendedClient({ sqs, s3, bucket, commands, threshold = DEFAULT_THRESHOLD, alwaysThroughS3 = false }) {
  const c = commands;
  return {
    async sendMessage(input) {
      const attributes = input.MessageAttributes ?? {};
      if (SIZE_ATTRIBUTE in attributes || LEGACY_SIZE_ATTRIBUTE in attributes) {
        throw new Error(`Message attribute name ${SIZE_ATTRIBUTE} is reserved for use by the SQS extended client.`);
      }
      const size = messageSize(input.MessageBody, attributes);
      if (!alwaysThroughS3 && size <= threshold) return sqs.send(new c.SendMessageCommand(input));
      const key = randomKey();
      await s3.send(new c.PutObjectCommand({ Bucket: bucket, Key: key, Body: input.MessageBody }));
      return sqs.send(
        new c.SendMessageCommand({
          ...input,
          MessageBody: JSON.stringify([POINTER_CLASS, { s3BucketName: bucket, s3Key: key }]),
          MessageAttributes: {
            ...attributes,
            [SIZE_ATTRIBUTE]: { DataType: "Number", StringValue: String(utf8(input.MessageBody)) },
          },
        }),
      );
    },

    async receiveMessage(input) {
      const names = input.MessageAttributeNames ?? [];
      const result = await sqs.send(
        new c.ReceiveMessageCommand({ ...input, MessageAttributeNames: [...names, SIZE_ATTRIBUTE, LEGACY_SIZE_ATTRIBUTE] }),
      );
      for (const message of result.Messages ?? []) {
        const pointer = parsePointer(message.Body);
        if (!pointer) continue;
        const object = await s3.send(new c.GetObjectCommand({ Bucket: pointer.bucket, Key: pointer.key }));
        message.Body = await object.Body.transformToString();
        message.ReceiptHandle = `${BUCKET_MARKER}${pointer.bucket}${BUCKET_MARKER}${KEY_MARKER}${pointer.key}${KEY_MARKER}${message.ReceiptHandle}`;
        if (message.MessageAttributes) {
          delete message.MessageAttributes[SIZE_ATTRIBUTE];
          delete message.MessageAttributes[LEGACY_SIZE_ATTRIBUTE];
        }
      }
      return result;
    },

    async deleteMessage(input) {
      const { bucket: b, key, receiptHandle } = parseHandle(input.ReceiptHandle);
      const deleted = await sqs.send(new c.DeleteMessageCommand({ ...input, ReceiptHandle: receiptHandle }));
      if (key) await s3.send(new c.DeleteObjectCommand({ Bucket: b, Key: key }));
      return deleted;
    },

    async changeMessageVisibility(input) {
      const { receiptHandle } = parseHandle(input.ReceiptHandle);
      return sqs.send(new c.ChangeMessageVisibilityCommand({ ...input, ReceiptHandle: receiptHandle }));
    },
  };
}

export { extendedClient, parsePointer, parseHandle };
