// Shared setup for the conformance suites: an engine from the built Node
// package, and an unmodified SQSClient talking to it through Decouple's handler.
import { createRequire } from "node:module";
import { SQSClient } from "@aws-sdk/client-sqs";

const require = createRequire(import.meta.url);
const pkg = "../pkg-node/";
export const { Engine } = require(`${pkg}decouple_js.js`);
export const { handler, startTicker, settle } = require(`${pkg}handler.cjs`);

export const START = Date.UTC(2026, 0, 1);
export const ACCOUNT = "123456789012";
export const REGION = "eu-west-1";

/** A fresh engine and an SDK client bound to it. */
export function setup({ seed = 42, ...clientOptions } = {}) {
  const engine = new Engine({ seed, accountId: ACCOUNT, region: REGION, startTime: START });
  const sqs = new SQSClient({
    region: REGION,
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    requestHandler: handler(engine),
    // Retries would wait in real time; every error is checked as the first answer.
    maxAttempts: 1,
    ...clientOptions,
  });
  return { engine, sqs };
}

/** The error an SDK call rejects with (fails the test if it succeeds). */
export async function failure(promise) {
  try {
    const result = await promise;
    throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  } catch (err) {
    if (err.message?.startsWith("expected an error")) throw err;
    return err;
  }
}

/** Lets the SDK's middleware run until its request reaches the engine. */
export const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

export const queueUrl = (name) => `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;
export const queueArn = (name) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;

/** Raw HTTP through the engine, for what the SDK never sends. */
export async function raw(engine, target, body, headers = {}) {
  const response = await engine.dispatch({
    method: "POST",
    path: "/",
    headers: { "content-type": "application/x-amz-json-1.0", ...(target ? { "x-amz-target": target } : {}), ...headers },
    body,
  });
  return { ...response, text: Buffer.from(response.body).toString("utf8") };
}
