// Data Firehose and streaming SQL on the Kinesis page (dist/kinesis/), as a
// learner meets them: a delivery stream reading a data stream with a 60 s
// buffer interval fills its buffer, delivers one S3 object with AWS's key
// layout when the interval ends, and the object opens as text; a direct-PUT
// delivery stream with a failing Lambda transform writes processing-failed/
// objects; the course's SQL application counts trades per ticker when its
// tumbling window closes; a syntax error is shown with its line and column;
// a reload replays it all. Screenshots of the panels go to screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { setup, open, assertHealthy, nextDeadline, streamCard, createStream, putRecords } from './helpers.mjs';

const ctx = setup('kinesis');
const OUT = fileURLToPath(new URL('./screenshots/', import.meta.url));
const flash = (page) => page.getByTestId('flash').locator('span').textContent();
const deliveryCard = (page, name) => page.locator(`article[data-delivery-stream="${name}"]`);
const sqlCard = (page, name) => page.locator(`article[data-sql-app="${name}"]`);
const cliLines = (page) => page.getByTestId('log').locator('.cli code').allTextContents();
/** AWS's default key: YYYY/MM/dd/HH/name-version-YYYY-MM-DD-HH-MM-SS-uuid. */
const keyLayout = (name, prefix = '') =>
  new RegExp(`^${prefix}\\d{4}/\\d{2}/\\d{2}/\\d{2}/${name}-1-\\d{4}-\\d{2}-\\d{2}-\\d{2}-\\d{2}-\\d{2}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`);

/** A screenshot of one part of the page, taken from the full page (so the sticky clock bar stays at the top). */
async function shoot(page, selector, file) {
  await mkdir(OUT, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = await page.locator(selector).boundingBox();
  await page.screenshot({ path: `${OUT}${file}`, fullPage: true, clip: box });
}

async function createDeliveryStream(page, name, { source = '', bucket, interval, size, transform, contains } = {}) {
  await page.fill('#fh-name', name);
  await page.selectOption('#fh-source', source);
  if (bucket !== undefined) await page.fill('#fh-bucket', bucket);
  if (interval !== undefined) await page.fill('#fh-interval', String(interval));
  if (size !== undefined) await page.fill('#fh-size', String(size));
  if (transform !== undefined) await page.selectOption('#fh-transform', transform);
  if (contains !== undefined) await page.fill('#fh-contains', contains);
  await page.getByRole('button', { name: 'Create delivery stream' }).click();
}

/** Presses ⇥ Next deadline until `done()` holds (at most `max` times); returns how many presses. */
async function jumpUntil(page, done, max = 80) {
  for (let i = 1; i <= max; i++) {
    await nextDeadline(page);
    if (await done()) return i;
  }
  assert.fail(`not done after ${max} jumps`);
}

test('a delivery stream from a data stream: the buffer fills, the interval delivers one S3 object, it opens as text', async () => {
  const page = await open(ctx);
  await createStream(page, 'clicks', { shards: 2 });
  await nextDeadline(page);
  await createDeliveryStream(page, 'clicks-to-s3', { source: 'clicks', bucket: 'clicks-archive', interval: 60 });
  assert.equal(await flash(page), 'Delivery stream clicks-to-s3 (and its bucket) created: CREATING for its first 5 virtual seconds, then ACTIVE.');
  const card = deliveryCard(page, 'clicks-to-s3');
  assert.equal(await card.getByTestId('delivery-status').textContent(), 'CREATING');
  // Both calls in the log, with their CLI lines: the bucket first, through S3.
  const cli = await cliLines(page);
  assert.match(cli[0], /^aws firehose create-delivery-stream --delivery-stream-name clicks-to-s3 --delivery-stream-type KinesisStreamAsSource --extended-s3-destination-configuration '\{.*"IntervalInSeconds":60.*\}' --kinesis-stream-source-configuration '\{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:\d{12}:stream\/clicks"/);
  assert.equal(cli[1], 'aws s3api create-bucket --bucket clicks-archive');
  assert.match(await page.getByTestId('log').locator('.entry').first().textContent(), /X-Amz-Target: Firehose_20150804\.CreateDeliveryStream/);
  await nextDeadline(page);
  assert.equal(await card.getByTestId('delivery-status').textContent(), 'ACTIVE');
  assert.match(await card.getByTestId('flush').textContent(), /^empty: the 60 s interval starts with the next record$/);

  // Ten records into the data stream; Firehose reads each shard once a second.
  await putRecords(page, 'clicks', 10, { data: '{"page":"<b>/home</b>"}\n' });
  await page.keyboard.press('s');
  assert.match(await card.getByTestId('buffer').textContent(), /Buffer: 10 records240 B \/ 5 MiB/);
  assert.match(await card.getByTestId('flush').textContent(), /^delivered in (1m 00s|[1-5]?\ds) \(interval 60 s\)$/);
  assert.equal(await card.locator('tr.delivery').count(), 0);
  await shoot(page, '#firehose', 'kinesis-firehose-buffer.png');

  // Jump along the deadlines (the source is read every second) until the interval ends.
  const jumps = await jumpUntil(page, async () => (await card.locator('tr.delivery').count()) > 0);
  assert.ok(jumps > 5, `the interval is a minute, not ${jumps} reads`);
  const row = card.locator('tr.delivery').first();
  assert.match(await row.getAttribute('data-key'), keyLayout('clicks-to-s3'));
  const cells = await row.locator('td').allTextContents();
  assert.equal(cells[2], '240 B');
  assert.equal(cells[3], '10');
  assert.match(await card.getByTestId('flush').textContent(), /^empty/);
  assert.match(await card.getByTestId('fh-metrics').textContent(), /Incoming 10 records · delivered 10 ·/);

  // Open it: the ten records, concatenated, as text (markup escaped).
  await row.getByRole('button').click();
  const body = card.getByTestId('object-body');
  assert.equal(await body.textContent(), '{"page":"<b>/home</b>"}\n'.repeat(10));
  assert.equal(await body.locator('b').count(), 0, 'object content is text');
  await shoot(page, '#firehose', 'kinesis-firehose-delivered.png');
  await page.screenshot({ path: `${OUT}kinesis-firehose-page.png`, fullPage: true });
  await assertHealthy(page);
});

test('direct PUT with a failing transform: PutRecord, PutRecordBatch and processing-failed objects', async () => {
  const page = await open(ctx);
  await createDeliveryStream(page, 'orders', { bucket: 'orders-bucket', interval: 0, transform: 'fail', contains: 'bad' });
  await nextDeadline(page);
  const card = deliveryCard(page, 'orders');
  assert.match(await card.textContent(), /Lambda transform: ProcessingFailed if it contains “bad”/);
  assert.match(await card.getByTestId('flush').textContent(), /no buffering/);
  const form = card.getByRole('form', { name: 'Put records into delivery stream orders' });
  await form.getByLabel('Data', { exact: true }).fill('good order');
  await form.getByRole('button', { name: 'Put record' }).click();
  assert.match((await cliLines(page))[0], /^aws firehose put-record --delivery-stream-name orders --record '\{"Data":"Z29vZCBvcmRlcgo="\}'$/);
  await form.getByLabel('Data', { exact: true }).fill('bad order');
  await form.getByLabel('How many', { exact: true }).fill('3');
  await form.getByRole('button', { name: 'Put 3 records' }).click();
  assert.equal(await flash(page), 'Put 3 records into orders in one PutRecordBatch call.');
  assert.match((await cliLines(page))[0], /^aws firehose put-record-batch --delivery-stream-name orders --records '\[/);
  const rows = card.locator('tr.delivery');
  assert.equal(await rows.count(), 2);
  const failed = card.locator('tr.delivery.processing-failed');
  assert.equal(await failed.count(), 1);
  assert.match(await failed.getAttribute('data-key'), keyLayout('orders', 'processing-failed/'));
  assert.match(await failed.textContent(), /processing-failed/);
  await failed.getByRole('button').click();
  assert.match(await card.getByTestId('object-body').textContent(), /"errorCode":"Lambda.ProcessingFailed"/);
  // Out of range: AWS's ValidationException in the banner.
  await createDeliveryStream(page, 'too-big', { bucket: 'orders-bucket', size: 129, transform: 'none' });
  assert.match(await flash(page), /^ValidationException: .*sizeInMBs.*less than or equal to 128/);
  await assertHealthy(page);
});

test('"Jump to delivery" moves the clock to the end of the buffer interval, which delivers', async () => {
  const page = await open(ctx);
  await createDeliveryStream(page, 'logs', { bucket: 'logs-bucket', interval: 120 });
  await nextDeadline(page);
  const card = deliveryCard(page, 'logs');
  assert.equal(await card.getByRole('button', { name: '⇥ Jump to delivery' }).count(), 0, 'nothing buffered');
  await card.getByRole('button', { name: 'Put record' }).click();
  assert.match(await card.getByTestId('flush').textContent(), /^delivered in 2m 00s \(interval 120 s\)$/);
  await card.getByRole('button', { name: '⇥ Jump to delivery' }).click();
  assert.equal(await page.getByTestId('clock-rel').textContent(), '+00:02:05');
  assert.equal(await card.locator('tr.delivery').count(), 1);
  assert.match(await card.getByTestId('flush').textContent(), /^empty/);
  await assertHealthy(page);
});

test('the course\'s SQL application counts trades per ticker when its 10-second window closes', async () => {
  const page = await open(ctx);
  await createStream(page, 'trades', { shards: 2 });
  await nextDeadline(page);
  const section = page.locator('#sql');
  assert.match(await section.locator('.retired').textContent(), /AWS retired Kinesis Data Analytics for SQL/);
  assert.match(await page.inputValue('#sql-code'), /STEP\("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND\)/);
  const logBefore = await page.getByTestId('log').locator('.entry').count();
  await page.getByRole('button', { name: 'Create application' }).click();
  const card = sqlCard(page, 'tickers');
  assert.equal(await card.getByTestId('sql-status').textContent(), 'READY');
  await card.getByRole('button', { name: 'Start' }).click();
  assert.equal(await card.getByTestId('sql-status').textContent(), 'RUNNING');
  assert.equal(await page.getByTestId('log').locator('.entry').count(), logBefore, 'no API call for a retired service');
  await card.getByRole('button', { name: 'Put 10 sample trades' }).click();
  const output = card.getByTestId('sql-rows').first();
  assert.match(await output.locator('caption').textContent(), /^DESTINATION_SQL_STREAM \(0 rows\)$/);
  // Second by second until the window closes: rows appear all at once, at its end.
  let seconds = 0;
  while ((await output.locator('tbody tr td').count()) <= 1 && seconds < 12) {
    await page.keyboard.press('s');
    seconds++;
  }
  assert.ok(seconds >= 1 && seconds <= 11, `rows after ${seconds} s`);
  const rows = await output.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  const counts = Object.fromEntries(rows.map((r) => [r[2], Number(r[3])]));
  assert.deepEqual(counts, { AMZN: 5, TSLA: 3, AAPL: 2 });
  assert.match(rows[0][1], /^\+00:00:\d0 – \+00:00:\d0$/, 'the window it closed');
  // A record the schema cannot map goes to the error stream, with the reason.
  await putRecords(page, 'trades', 1, { data: 'not <i>json</i>' });
  await page.keyboard.press('s');
  const errors = card.getByTestId('sql-errors');
  assert.match(await errors.locator('caption').textContent(), /^error_stream \(1 row\)/);
  const error = await errors.locator('tbody tr').first().locator('td').allTextContents();
  assert.equal(error[2], 'not <i>json</i>');
  assert.ok(error[3].length > 0, 'a reason');
  await shoot(page, '#sql', 'kinesis-sql.png');

  // A reload replays the journal: the application, running, with its rows.
  await page.reload();
  await page.waitForSelector('html[data-ready]');
  await page.getByRole('button', { name: '‖ Pause' }).click();
  assert.equal(await sqlCard(page, 'tickers').getByTestId('sql-status').textContent(), 'RUNNING');
  assert.equal(await sqlCard(page, 'tickers').getByTestId('sql-rows').first().locator('tbody tr').count(), 3);
  assert.match(await sqlCard(page, 'tickers').getByTestId('sql-errors').locator('caption').textContent(), /\(1 row\)/);
  await sqlCard(page, 'tickers').getByRole('button', { name: 'Stop' }).click();
  assert.equal(await sqlCard(page, 'tickers').getByTestId('sql-status').textContent(), 'READY');
  await assertHealthy(page);
});

test('a SQL syntax error is shown with its line and column', async () => {
  const page = await open(ctx);
  await createStream(page, 'trades', { shards: 1 });
  const code = await page.inputValue('#sql-code');
  await page.fill('#sql-code', code.replace('SELECT STREAM', 'SELEKT STREAM'));
  await page.getByRole('button', { name: 'Create application' }).click();
  const error = page.getByTestId('sql-error');
  assert.match(await error.locator('.error-text').textContent(), /^Line 4, column 1: .+/);
  assert.equal(await error.locator('pre').textContent(), 'SELEKT STREAM ticker_symbol, COUNT(*) AS ticker_count\n^');
  assert.match(await flash(page), /^CodeValidationException: line 4, column 1: /);
  assert.equal(await page.locator('article[data-sql-app]').count(), 0);
  await shoot(page, '.sql-form', 'kinesis-sql-error.png');
  await assertHealthy(page);
});

test('at 360 px wide the Firehose and SQL panels do not overflow sideways', async () => {
  const page = await open(ctx, { viewport: { width: 360, height: 740 } });
  await createStream(page, 'clicks', { shards: 1 });
  await nextDeadline(page);
  await createDeliveryStream(page, 'a-rather-long-delivery-stream-name', { interval: 0 });
  await nextDeadline(page);
  await deliveryCard(page, 'a-rather-long-delivery-stream-name').getByRole('button', { name: 'Put record' }).click();
  await page.getByRole('button', { name: 'Create application' }).click();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the viewport`);
  await assertHealthy(page);
});
