// Simulated applications: producers and consumers acting on the virtual
// clock through the same SQS requests, shown in the API log by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, open, assertHealthy, createQueue, card, counts, send, nextDeadline } from './helpers.mjs';

const ctx = setup();

async function addConsumer(page, queue, { poll = 1, batch = 1, wait = 0, processing = 5, failure = 0 } = {}) {
  const c = card(page, queue);
  const apps = c.locator('details.apps');
  if (!(await apps.evaluate((d) => d.open))) await apps.locator('summary').click();
  for (const [label, v] of [['Poll every (s)', poll], ['Batch size', batch], ['Long-poll wait (s)', wait],
    ['Processing time (s)', processing], ['Failure rate (%)', failure]]) {
    await apps.getByLabel(label, { exact: true }).fill(String(v));
  }
  await apps.getByRole('button', { name: 'Add consumer' }).click();
}

async function steps(page, n) {
  for (let i = 0; i < n; i++) await page.keyboard.press('s');
}

test('a producer and a consumer keep a queue flowing; the log names them', async () => {
  const page = await open(ctx);
  await createQueue(page, 'work');
  const c = card(page, 'work');
  await c.locator('details.apps summary').click();
  await c.getByLabel('Messages per minute').fill('60');
  await c.getByRole('button', { name: 'Add producer' }).click();
  await addConsumer(page, 'work', { processing: 2 });
  assert.match(await page.getByTestId('next-deadline').textContent(), /(producer 1 sends|consumer 2 polls)/);
  await steps(page, 10);
  assert.match(await c.getByTestId('producer 1').textContent(), /sent 11/);
  const consumer = await c.getByTestId('consumer 2').textContent();
  const deleted = Number(consumer.match(/deleted (\d+)/)[1]);
  assert.ok(deleted >= 8, consumer);
  assert.match(await page.getByTestId('log').locator('.entry').first().textContent(), /(producer 1|consumer 2)/);
  // Monitoring: a sample every 10 virtual seconds, and the request count with its cost.
  await c.getByRole('button', { name: 'Show monitoring' }).click();
  assert.equal(await c.locator('figure.chart').count(), 2);
  // (The clock ran briefly before the test paused it, so the producer's sends straddle a sample.)
  assert.match(await c.locator('figure.chart').nth(1).textContent(), /sent 1[01]received/);
  assert.match(await c.locator('.monitoring .requests').textContent(), /\d+ requests · ≈ \$0\.0000\d+ at \$0\.40 per million/);
  await c.getByTestId('producer 1').getByRole('button', { name: 'Remove' }).click();
  assert.equal(await c.getByTestId('producer 1').count(), 0);
  await assertHealthy(page);
});

test('a poison message: a consumer that always fails sends it to the DLQ', async () => {
  const page = await open(ctx);
  await createQueue(page, 'work-dlq');
  await createQueue(page, 'work', { visibility: 5, dlq: 'work-dlq', maxReceive: 2 });
  await send(page, 'work', 'poison');
  await addConsumer(page, 'work', { processing: 1, failure: 100 });
  await steps(page, 20);
  assert.equal((await counts(page, 'work-dlq')).available, 1);
  assert.match(await card(page, 'work').getByTestId('consumer 1').textContent(), /failed 2/);
  await assertHealthy(page);
});

test('a crashed consumer never deletes: its message comes back after the visibility timeout', async () => {
  const page = await open(ctx);
  await createQueue(page, 'work', { visibility: 10 });
  await send(page, 'work', 'job');
  await addConsumer(page, 'work', { processing: 60 });
  await steps(page, 1);
  assert.deepEqual(await counts(page, 'work'), { available: 0, inFlight: 1, delayed: 0 });
  assert.match(await card(page, 'work').locator('.lane.inflight .chip').textContent(), /· consumer 1/);
  await card(page, 'work').locator('.lane.inflight .chip').click();
  assert.match(await card(page, 'work').getByTestId('detail').textContent(), /Held byconsumer 1 \(processing\)/);
  await card(page, 'work').getByRole('button', { name: 'Crash' }).click();
  assert.match(await card(page, 'work').getByTestId('consumer 1').textContent(), /crashed/);
  await nextDeadline(page);
  assert.deepEqual(await counts(page, 'work'), { available: 1, inFlight: 0, delayed: 0 });
  await assertHealthy(page);
});
