// Enhanced fan-out on the Kinesis page: register a consumer (CREATING, then
// ACTIVE), subscribe it to a shard, put records and see them pushed to the
// subscription, with the SubscribeToShard log entry counting the events;
// after five virtual minutes the subscription ends. Also a screenshot. And
// the shared read quota that fan-out avoids: a sixth GetRecords in one
// virtual second is refused, and the shard's read meters say why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { setup, open, assertHealthy, nextDeadline, streamCard, createStream, putRecords } from './helpers.mjs';

const ctx = setup('kinesis');
const OUT = fileURLToPath(new URL('./screenshots/', import.meta.url));

test('a registered consumer subscribes to a shard and gets new records pushed for five minutes', async () => {
  const page = await open(ctx);
  await createStream(page, 'clicks', { shards: 1 });
  await nextDeadline(page);
  const card = streamCard(page, 'clicks');
  const efo = card.getByRole('region', { name: 'Enhanced fan-out consumers of clicks' });
  await efo.getByLabel('Consumer name').fill('dashboard');
  await efo.getByRole('button', { name: 'Register consumer' }).click();
  const consumer = efo.locator('li[data-consumer="dashboard"]');
  assert.equal(await consumer.getByTestId('consumer-status').textContent(), 'CREATING');
  assert.equal(await consumer.getByRole('button', { name: 'Subscribe to shardId-000000000000' }).isDisabled(), true);
  await nextDeadline(page);
  assert.equal(await consumer.getByTestId('consumer-status').textContent(), 'ACTIVE');

  await consumer.getByRole('button', { name: 'Subscribe to shardId-000000000000' }).click();
  const log = page.getByTestId('log').locator('.entry').first();
  assert.equal(await log.locator('.summary').textContent(), 'SubscribeToShard → event stream open: records are pushed as they arrive');
  await putRecords(page, 'clicks', 5);
  await page.keyboard.press('s');
  const subscription = consumer.getByTestId('subscription');
  assert.match(await subscription.textContent(), /^shardId-000000000000: 5 records pushed in \d+ events · open, 4m 5\ds left$/);
  const entry = page.getByTestId('log').locator('.entry', { hasText: 'SubscribeToShard' }).first();
  assert.match(await entry.locator('details pre').nth(1).textContent(), /SubscribeToShardEvent frames/);
  await mkdir(OUT, { recursive: true });
  await efo.screenshot({ path: `${OUT}kinesis-fanout.png` });

  // Five minutes later the subscription has ended; a consumer subscribes again to go on.
  const summary = () => page.getByTestId('log').locator('.entry', { hasText: 'SubscribeToShard' }).first().locator('.summary').textContent();
  for (let i = 0; i < 10 && !(await summary()).includes('ended'); i++) await nextDeadline(page);
  assert.match(await summary(), /^SubscribeToShard → event stream ended after \d+ events$/);
  assert.equal(await consumer.getByTestId('subscription').count(), 0);
  await assertHealthy(page);
});

test('GetRecords readers share five calls a second per shard: the sixth is throttled and the meter is red', async () => {
  const page = await open(ctx);
  await createStream(page, 'clicks', { shards: 1 });
  await nextDeadline(page);
  await putRecords(page, 'clicks', 3);
  const lane = streamCard(page, 'clicks').locator('.shard-lane[data-shard="shardId-000000000000"]');
  const reads = lane.locator('.meter', { hasText: 'Reads' }).first();
  assert.match(await reads.textContent(), /0 \/ 5 GetRecords this second/);
  for (let i = 1; i <= 5; i++) await lane.getByRole('button', { name: 'Get records' }).click();
  assert.match(await reads.textContent(), /5 \/ 5 GetRecords this second/);
  assert.match(await reads.getAttribute('class'), /hot/);
  await lane.getByRole('button', { name: 'Get records' }).click();
  assert.match(await page.getByTestId('flash').textContent(), /ProvisionedThroughputExceededException/);
  assert.equal(await lane.getByTestId('read-throttled').textContent(), '1 reads throttled');
  await page.getByRole('button', { name: '+1 s' }).click();
  assert.match(await reads.textContent(), /0 \/ 5 GetRecords this second/);
  await assertHealthy(page);
});
