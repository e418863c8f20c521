// Shared setup for the end-to-end tests: one Chromium (Debian's, never a
// download) and one static server per test file, and the steps a learner takes.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';

export const DIST = fileURLToPath(new URL('../../dist', import.meta.url));
export const PREFIX = '/labs/sqs/';
/**
 * The three pages: the SQS playground (dist/), the SNS playground (dist/sns/) and the
 * Kinesis playground (dist/kinesis/), each under its own sub-path.
 */
export const PAGES = {
  sqs: { dist: DIST, prefix: PREFIX, title: 'SQS playground' },
  sns: { dist: join(DIST, 'sns'), prefix: '/labs/sns/', title: 'SNS playground' },
  kinesis: { dist: join(DIST, 'kinesis'), prefix: '/labs/kinesis/', title: 'Kinesis playground' },
};
export const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const launchOptions = { executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] };

/**
 * Starts the browser and server for this test file; returns a getter for both.
 * `page` picks what is served: 'sqs' (dist/ under /labs/sqs/, the default),
 * 'sns' (dist/sns/ alone under /labs/sns/) or 'kinesis' (dist/kinesis/ alone under /labs/kinesis/).
 */
export function setup(page = 'sqs') {
  const { dist, prefix, title } = PAGES[page];
  const ctx = {};
  before(async () => {
    ctx.server = await serve({
      root: dist,
      prefix,
      pages: { '/host.html': `<!doctype html><title>course</title><h1>Course page</h1>
        <iframe title="${title}" src="${prefix}?embed=1" width="380" height="700"></iframe>` },
    });
    ctx.browser = await chromium.launch(launchOptions);
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.server?.close();
  });
  return ctx;
}

/** Opens the playground, paused (so tests control time), and watches for errors. */
export async function open(ctx, { viewport = { width: 1280, height: 900 }, colorScheme = 'light', query = '' } = {}) {
  const context = await ctx.browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('dialog', (d) => {
    page.errors.push(`dialog opened: ${d.message()}`);
    d.dismiss();
  });
  await page.goto(ctx.server.url + query);
  await page.waitForSelector('html[data-ready]');
  await page.getByRole('button', { name: '‖ Pause' }).click();
  return page;
}

/** No uncaught error, no alert() and no panic banner. */
export async function assertHealthy(page) {
  assert.deepEqual(page.errors, []);
  assert.equal(await page.locator('#panic').isHidden(), true, 'panic banner shown');
  await page.context().close();
}

export async function createQueue(page, name, { fifo = false, visibility, dlq, maxReceive, contentDedup } = {}) {
  if (fifo) await page.selectOption('#create-type', 'fifo');
  else await page.selectOption('#create-type', 'standard');
  await page.fill('#create-name', name);
  await page.fill('#create-visibility', visibility === undefined ? '30' : String(visibility));
  if (contentDedup) await page.check('#create-cbd');
  await page.selectOption('#create-dlq', dlq ? { label: dlq } : { value: '' });
  await page.fill('#create-maxreceive', maxReceive === undefined ? '10' : String(maxReceive));
  await page.getByRole('button', { name: 'Create queue' }).click();
}

export const card = (page, name) => page.locator(`article[data-queue="${name}"]`);

export async function counts(page, name) {
  const c = card(page, name);
  const n = async (id) => Number(await c.getByTestId(id).textContent());
  return { available: await n('available'), inFlight: await n('in-flight'), delayed: await n('delayed') };
}

export async function send(page, name, body, { group, dedup, delay, count } = {}) {
  const c = card(page, name).getByRole('form', { name: `Send a message to ${name}` });
  await c.getByLabel('Message body', { exact: true }).fill(body);
  if (group !== undefined) await c.getByLabel('Message group id', { exact: true }).fill(group);
  if (dedup !== undefined) await c.getByLabel('Deduplication id', { exact: true }).fill(dedup);
  await c.getByLabel('Delay (s)', { exact: true }).fill(delay === undefined ? '' : String(delay));
  await c.getByLabel('How many', { exact: true }).fill(count === undefined ? '1' : String(count));
  await c.getByRole('button', { name: 'Send message' }).click();
}

export async function receive(page, name, { max = 1, wait = '', visibility = '' } = {}) {
  const c = card(page, name).getByRole('form', { name: `Receive messages from ${name}` });
  await c.getByLabel('Max messages', { exact: true }).fill(String(max));
  await c.getByLabel('Wait time (s)', { exact: true }).fill(String(wait));
  await c.getByLabel('Visibility timeout (s)', { exact: true }).fill(String(visibility));
  await c.getByRole('button', { name: 'Poll for messages' }).click();
}

export const nextDeadline = (page) => page.getByRole('button', { name: '⇥ Next deadline' }).click();

/** The newest log entry's summary line. */
export const lastSummary = (page) => page.getByTestId('log').locator('.entry').first().locator('.summary').textContent();

// SNS and S3.
export const topicCard = (page, name) => page.locator(`article[data-topic="${name}"]`);
export const bucketCard = (page, name) => page.locator(`article[data-bucket="${name}"]`);

export async function createTopic(page, name, { fifo = false, contentDedup = false } = {}) {
  await page.selectOption('#topic-type', fifo ? 'fifo' : 'standard');
  await page.fill('#topic-name', name);
  if (contentDedup) await page.check('#topic-cbd');
  await page.getByRole('button', { name: 'Create topic' }).click();
  await topicCard(page, name).waitFor();
}

export async function subscribe(page, topic, { protocol = 'sqs', queue, endpoint, policy, scope, raw } = {}) {
  const form = topicCard(page, topic).getByRole('form', { name: `Subscribe to ${topic}` });
  await form.getByLabel('Protocol', { exact: true }).selectOption(protocol);
  if (queue) await form.getByLabel('Queue', { exact: true }).selectOption({ label: queue });
  if (endpoint) await form.getByLabel('Endpoint', { exact: true }).fill(endpoint);
  if (raw) await form.getByLabel('Raw message delivery').check();
  if (scope) await form.getByLabel('Filter policy scope').selectOption(scope);
  await form.getByLabel('Filter policy (JSON)').fill(policy ?? '');
  await form.getByRole('button', { name: 'Create subscription' }).click();
}

export async function publish(page, topic, message, attributes = []) {
  const form = topicCard(page, topic).getByRole('form', { name: `Publish a message to ${topic}` });
  await form.getByLabel('Message', { exact: true }).fill(message);
  for (const [i, [name, type, value]] of attributes.entries()) {
    await form.getByRole('button', { name: '+ Add attribute' }).click();
    await form.getByLabel(`Attribute ${i + 1} name`).fill(name);
    await form.getByLabel(`Attribute ${i + 1} type`).selectOption(type);
    await form.getByLabel(`Attribute ${i + 1} value`).fill(value);
  }
  await form.getByRole('button', { name: 'Publish message' }).click();
}

// Kinesis Data Streams.
export const streamCard = (page, name) => page.locator(`article[data-stream="${name}"]`);
export const shardLane = (page, stream, shardId) => streamCard(page, stream).locator(`.shard-lane[data-shard="${shardId}"]`);

export async function createStream(page, name, { shards = 2, onDemand = false } = {}) {
  await page.fill('#stream-name', name);
  await page.selectOption('#stream-mode', onDemand ? 'on-demand' : 'provisioned');
  if (!onDemand) await page.fill('#stream-shards', String(shards));
  await page.getByRole('button', { name: 'Create stream' }).click();
  await streamCard(page, name).waitFor();
}

/** "Put N records": keys user-1…user-N, or `key` for all of them. */
export async function putRecords(page, stream, count, { key, data } = {}) {
  const form = streamCard(page, stream).getByRole('form', { name: `Put records into ${stream}` });
  if (data !== undefined) await form.getByLabel('Data', { exact: true }).fill(data);
  if (key !== undefined) await form.getByLabel('Partition key', { exact: true }).fill(key);
  const same = form.getByLabel('All with the partition key above');
  if (key !== undefined) await same.check();
  else await same.uncheck();
  await form.getByLabel('How many', { exact: true }).fill(String(count));
  await form.getByRole('button', { name: count === 1 ? 'Put 1 record' : `Put ${count} records`, exact: true }).click();
}
