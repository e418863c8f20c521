// Kinesis Data Streams as a learner meets them, in the Kinesis page
// (dist/kinesis/, served on its own): a two-shard stream becoming ACTIVE,
// records spread over the shards by partition key, a hot key throttled by
// the per-shard write quota, a split (the parent closes, two children open),
// and a read from TRIM_HORIZON. Also a screenshot (desktop, light) into
// screenshots/ and a phone-width check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  setup, open, assertHealthy, nextDeadline, lastSummary, streamCard, shardLane, createStream, putRecords,
} from './helpers.mjs';

const ctx = setup('kinesis');
const OUT = fileURLToPath(new URL('./screenshots/', import.meta.url));
const flash = (page) => page.getByTestId('flash').locator('span').textContent();
const status = (page, name) => streamCard(page, name).getByTestId('stream-status').textContent();

test('the Kinesis page is its own page, titled for Kinesis, linking the other two', async () => {
  const page = await open(ctx);
  assert.equal(await page.title(), 'Decouple · Amazon Kinesis playground');
  assert.equal(await page.locator('h1 .sub').textContent(), '· Amazon Kinesis playground');
  const nav = page.getByRole('navigation', { name: 'Playgrounds' });
  assert.equal((await nav.textContent()).trim(), 'SQS · SNS · Kinesis');
  assert.equal(await nav.locator('a[aria-current="page"]').textContent(), 'Kinesis');
  assert.equal(await nav.getByRole('link', { name: 'SNS' }).getAttribute('href'), '../sns/');
  assert.equal(await page.locator('#create-name').count(), 0, 'no queue form on the Kinesis page');
  await page.locator('.empty', { hasText: 'No streams yet.' }).waitFor();
  await assertHealthy(page);
});

test('a stream: ACTIVE, records by key on two shards, a hot key throttled, a split, a read back', async () => {
  const page = await open(ctx);
  await createStream(page, 'clicks', { shards: 2 });
  assert.equal(await status(page, 'clicks'), 'CREATING');
  assert.match(await page.getByTestId('next-deadline').textContent(), /stream clicks becomes ACTIVE/);
  await nextDeadline(page);
  assert.equal(await status(page, 'clicks'), 'ACTIVE');
  assert.equal(await streamCard(page, 'clicks').locator('.hash-bar .segment').count(), 2);
  assert.match(await streamCard(page, 'clicks').textContent(), /the course's 7-day maximum is outdated/);

  // Ten keys: MD5 spreads them over both shards.
  await putRecords(page, 'clicks', 10, { data: 'click <b>10</b>' });
  assert.equal(await flash(page), 'Put 10 records (keys user-1…user-10) in 1 PutRecords call.');
  const lane0 = shardLane(page, 'clicks', 'shardId-000000000000');
  const lane1 = shardLane(page, 'clicks', 'shardId-000000000001');
  const chips0 = await lane0.locator('.chip').count();
  const chips1 = await lane1.locator('.chip').count();
  assert.ok(chips0 > 0 && chips1 > 0, `chips in both lanes (${chips0}, ${chips1})`);
  assert.equal(chips0 + chips1, 10);
  assert.match(await lane0.locator('.chip').first().getAttribute('title'), /^sequence number \d{56} · partition key user-\d+$/);
  const log = page.getByTestId('log');
  assert.equal(
    await log.locator('.cli code').first().textContent(),
    'aws kinesis put-records --records file://records.json --stream-name clicks  # records.json: the 10 entries in the raw request',
  );
  assert.match(await lastSummary(page), /^PutRecords → 10 put, 0 failed$/);
  assert.match(await log.locator('.entry').first().textContent(), /X-Amz-Target: Kinesis_20131202\.PutRecords/);

  // 1,200 records on one key in one virtual second: one shard takes 1,000 a second.
  await putRecords(page, 'clicks', 1200, { key: 'hot-key' });
  assert.match(await flash(page), /^ProvisionedThroughputExceededException: \d+ of 1200 records failed, the first with: Rate exceeded for shard shardId-00000000000[01]/);
  const hot = streamCard(page, 'clicks').locator('.shard-lane.hot');
  assert.equal(await hot.count(), 1, 'one shard throttled');
  assert.match(await hot.getByTestId('meters').textContent(), /1000 \/ 1,000 this second/);
  assert.match(await hot.getByTestId('throttled').textContent(), /\d+ writes throttled/);
  assert.ok(await hot.locator('.chip').count() <= 50, 'at most 50 chips a lane');
  assert.match(await hot.locator('.more').textContent(), /\+ \d+ older/);
  await page.screenshot({ path: `${OUT}kinesis-throttled.png` });
  // A virtual second later the window is fresh.
  for (let i = 0; i < 6; i++) await page.keyboard.press('s');
  assert.equal(await streamCard(page, 'clicks').locator('.shard-lane.hot').count(), 0);
  assert.match(await lane0.getByTestId('meters').textContent(), /0 \/ 1,000 this second/);

  // Read shard 1 back from TRIM_HORIZON: text, never markup.
  await lane1.getByRole('button', { name: 'Get records' }).click();
  const read = lane1.getByTestId('shard-read');
  assert.match(await read.textContent(), /GetRecords from TRIM_HORIZON: \d+ records?/);
  assert.match(await read.textContent(), /MillisBehindLatest: \d+/);
  const rows = read.locator('tbody tr');
  assert.ok((await rows.count()) > 0);
  assert.ok((await rows.count()) <= 50);
  const first = await rows.first().locator('td').allTextContents();
  assert.match(first[0], /^\d{56}$/);
  assert.equal(first[2], 'click <b>10</b>');
  assert.equal(await read.locator('td b').count(), 0, 'data is text');
  await read.getByRole('button', { name: 'Close records' }).click();

  // Split shard 0 at its midpoint: UPDATING, then three open shards and one closed.
  await lane0.getByRole('button', { name: 'Split' }).click();
  assert.equal(await status(page, 'clicks'), 'UPDATING');
  assert.match(await page.getByTestId('next-deadline').textContent(), /stream clicks finishes resharding/);
  await nextDeadline(page);
  assert.equal(await status(page, 'clicks'), 'ACTIVE');
  assert.equal(await streamCard(page, 'clicks').locator('.shard-lane').count(), 3);
  assert.equal(await streamCard(page, 'clicks').locator('.hash-bar .segment').count(), 3);
  const closed = streamCard(page, 'clicks').locator('li.closed');
  assert.equal(await closed.count(), 1);
  assert.match(await closed.textContent(), /shardId-000000000000 closed at .* → shardId-000000000002, shardId-000000000003/);
  assert.match(await shardLane(page, 'clicks', 'shardId-000000000002').locator('.lineage').textContent(), /child of shardId-000000000000/);
  // The closed parent still reads back what it kept.
  await closed.getByRole('button', { name: 'Get records' }).click();
  assert.match(await closed.getByTestId('shard-read').textContent(), /GetRecords from TRIM_HORIZON: [1-9]\d* records?/);
  await closed.getByRole('button', { name: 'Close records' }).click();

  // Merge the first two open shards back: the right neighbour in the hash space.
  await shardLane(page, 'clicks', 'shardId-000000000002').getByRole('button', { name: 'Merge →' }).click();
  assert.match(await flash(page), /Merging shardId-000000000002 with shardId-000000000003/);
  await nextDeadline(page);
  assert.equal(await streamCard(page, 'clicks').locator('.shard-lane').count(), 2);

  // An AWS error, as the console shows it.
  await putRecords(page, 'clicks', 1, { key: '' });
  assert.match(await flash(page), /^ValidationException: /);

  await mkdir(OUT, { recursive: true });
  await page.screenshot({ path: `${OUT}desktop-light-kinesis.png`, fullPage: true });
  await assertHealthy(page);
});

test('an on-demand stream starts with four shards; UpdateShardCount reshards a provisioned one', async () => {
  const page = await open(ctx);
  await createStream(page, 'auto', { onDemand: true });
  await nextDeadline(page);
  assert.equal(await streamCard(page, 'auto').locator('.shard-lane').count(), 4);
  await createStream(page, 'orders', { shards: 1 });
  await nextDeadline(page);
  // The banner still reads true once the stream is ACTIVE.
  assert.equal(await status(page, 'orders'), 'ACTIVE');
  assert.equal(await flash(page), 'Stream orders created: CREATING for its first 10 virtual seconds, then ACTIVE.');
  const form = streamCard(page, 'orders').getByRole('form', { name: 'Update shard count of orders' });
  await form.getByLabel('Target shard count').fill('2');
  await form.getByRole('button', { name: 'Update shard count' }).click();
  assert.equal(await status(page, 'orders'), 'UPDATING');
  await nextDeadline(page);
  assert.equal(await status(page, 'orders'), 'ACTIVE');
  assert.equal(await streamCard(page, 'orders').locator('.shard-lane').count(), 2);
  await form.getByLabel('Target shard count').fill('lots');
  await form.getByRole('button', { name: 'Update shard count' }).click();
  assert.match(await flash(page), /Exception/);
  await streamCard(page, 'orders').getByRole('button', { name: 'Delete' }).click();
  assert.equal(await status(page, 'orders'), 'DELETING');
  await nextDeadline(page);
  assert.equal(await streamCard(page, 'orders').count(), 0);
  assert.equal(await flash(page), 'Stream orders deleted: DELETING for its last 10 virtual seconds.');
  await assertHealthy(page);
});

test('at 360 px wide the Kinesis page does not overflow sideways', async () => {
  const page = await open(ctx, { viewport: { width: 360, height: 740 } });
  await createStream(page, 'a-rather-long-stream-name-for-a-phone', { shards: 3 });
  await nextDeadline(page);
  await putRecords(page, 'a-rather-long-stream-name-for-a-phone', 30);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the viewport`);
  await assertHealthy(page);
});

test('a reload replays the journal: the stream, its records and its reshards come back', async () => {
  const page = await open(ctx);
  await createStream(page, 'saved', { shards: 2 });
  await nextDeadline(page);
  await putRecords(page, 'saved', 25);
  await shardLane(page, 'saved', 'shardId-000000000001').getByRole('button', { name: 'Split' }).click();
  await nextDeadline(page);
  const before = await streamCard(page, 'saved').locator('.shard-lane .chip').count();
  await page.reload();
  await page.waitForSelector('html[data-ready]');
  await page.getByRole('button', { name: '‖ Pause' }).click();
  assert.equal(await flash(page), 'Your saved playground was restored: 1 stream.');
  assert.equal(await status(page, 'saved'), 'ACTIVE');
  assert.equal(await streamCard(page, 'saved').locator('.shard-lane').count(), 3);
  assert.equal(await streamCard(page, 'saved').locator('li.closed').count(), 1);
  assert.equal(await streamCard(page, 'saved').locator('.shard-lane .chip').count(), before);
  await assertHealthy(page);
});
