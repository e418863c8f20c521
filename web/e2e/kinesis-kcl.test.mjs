// The Kinesis page's hardest ideas, as a learner clicks through them
// (dist/kinesis/): a KCL application with more workers than shards leaves
// one idle (at most one worker per shard); a crashed worker's lease moves
// to another worker once failoverTimeMillis passes, with a bumped
// leaseCounter in the lease table; a producer with a skewed partition key
// makes a shard hot (red meter, backoff) and a split cools it; the stream's
// CloudWatch charts; retention through AWS's two APIs; and a share link
// that recreates streams, KCL applications and producers. Saves a
// screenshot of the panels into screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { setup, open, assertHealthy, nextDeadline, streamCard, shardLane, createStream, putRecords } from './helpers.mjs';

const ctx = setup('kinesis');
const OUT = fileURLToPath(new URL('./screenshots/', import.meta.url));
const flash = (page) => page.getByTestId('flash').locator('span').textContent();
/** Virtual seconds forward, one "Step" (s) at a time, as a learner would press it. */
async function step(page, seconds) {
  for (let i = 0; i < seconds; i++) await page.keyboard.press('s');
}
const kclPanel = (page, stream) => streamCard(page, stream).getByRole('region', { name: `KCL applications reading ${stream}` });
const producerPanel = (page, stream) => streamCard(page, stream).getByRole('region', { name: `Producers putting into ${stream}` });
const leaseRow = (app, shard) => app.locator(`tr[data-lease="${shard}"]`);
const ownerOf = async (app, shard) => (await leaseRow(app, shard).locator('[data-col="leaseOwner"]').textContent()).match(/^worker-\d+/)?.[0];
const counterOf = async (app, shard) => Number(await leaseRow(app, shard).locator('[data-col="leaseCounter"]').textContent());

async function startKcl(page, stream, name, workers) {
  const kcl = kclPanel(page, stream);
  await kcl.getByLabel('Application name', { exact: true }).fill(name);
  await kcl.getByLabel('Workers', { exact: true }).fill(String(workers));
  await kcl.getByRole('button', { name: 'Start KCL application' }).click();
  return kcl.locator(`.kcl-app[data-app="${name}"]`);
}

async function startProducer(page, stream, { strategy = 'perCountry', skew = '1', rate = '1500' } = {}) {
  const panel = producerPanel(page, stream);
  await panel.getByLabel('Partition key', { exact: true }).selectOption(strategy);
  if (strategy === 'perCountry') await panel.getByLabel('Skew', { exact: true }).fill(skew);
  await panel.getByLabel('Records per second', { exact: true }).fill(rate);
  await panel.getByRole('button', { name: 'Start producer' }).click();
}

test('KCL: 2 shards and 3 workers leave one idle; a crashed worker\'s lease moves after the failover time', async () => {
  const page = await open(ctx);
  await createStream(page, 'orders', { shards: 2 });
  await nextDeadline(page);
  const kcl = kclPanel(page, 'orders');
  assert.match(await kcl.textContent(), /client library .* not an AWS API: its workers' own GetRecords calls and its DynamoDB lease-table writes are not in the API log/);
  const app = await startKcl(page, 'orders', 'orders-app', 3);
  assert.match(await flash(page), /^KCL application orders-app started with 3 workers on orders/);
  await step(page, 5);
  assert.equal(await app.locator('.worker.busy').count(), 2);
  const idle = app.locator('.worker.idle');
  assert.equal(await idle.count(), 1);
  assert.match(await idle.textContent(), /no shard left to lease — at most one worker per shard/);
  assert.match(await app.getByTestId('kcl-rule').textContent(), /2 shards to lease → at most 2 workers busy; 3 running, 1 idle\. Like the quiz: 10 shards → at most 10 KCL instances\./);
  // The lease table, with the KCL's attribute names.
  const table = app.getByTestId('lease-table');
  assert.deepEqual(await table.locator('th').allTextContents(),
    ['leaseKey', 'leaseOwner', 'leaseCounter', 'checkpoint', 'ownerSwitchesSinceCheckpoint', 'parentShardId', 'childShardIds']);
  assert.match(await app.locator('.lease-caption').textContent(), /^DynamoDB table orders-app — the lease table/);
  assert.equal(await app.getByRole('table', { name: /^DynamoDB table orders-app/ }).count(), 1);
  assert.equal(await table.locator('tbody tr').count(), 2);

  // Records flow; the workers process and checkpoint them (marked on the lanes).
  await putRecords(page, 'orders', 20);
  await step(page, 2);
  assert.match(await app.getByTestId('kcl-processed').textContent(), /^20 records processed$/);
  assert.equal(await streamCard(page, 'orders').getByTestId('checkpoint').count(), 2, 'one checkpoint per shard');
  assert.match(await leaseRow(app, 'shardId-000000000000').locator('[data-col="checkpoint"]').textContent(), /^…\d{8} after #\d+$/);
  // Only the learner's calls are in the API log: CreateStream and PutRecords, not the KCL's.
  assert.deepEqual(await page.getByTestId('log').locator('.entry .summary').allTextContents(),
    ['PutRecords → 20 put, 0 failed', 'CreateStream succeeded']);

  // Crash the worker holding shard 0.
  const shard = 'shardId-000000000000';
  const owner = await ownerOf(app, shard);
  const counter = await counterOf(app, shard);
  assert.ok(owner, 'shard 0 has an owner');
  await app.locator(`.worker[data-worker="${owner}"]`).getByRole('button', { name: 'Crash' }).click();
  assert.match(await flash(page), new RegExp(`^${owner} crashed: its leases stay in orders-app's lease table`));
  assert.match(await leaseRow(app, shard).locator('[data-col="leaseOwner"]').textContent(), /crashed · expires in \d+s/);
  assert.equal(await app.locator(`.worker.crashed[data-worker="${owner}"]`).count(), 1);
  await step(page, 5);
  assert.equal(await ownerOf(app, shard), owner, 'still the crashed owner before failoverTimeMillis');
  let moved = 0;
  for (let s = 5; s < 45 && !moved; s++) {
    await step(page, 1);
    if ((await ownerOf(app, shard)) !== owner) moved = s + 1;
  }
  assert.ok(moved > 10, `moved ${moved} s after the crash, after the 10 s failover time`);
  const next = await ownerOf(app, shard);
  assert.notEqual(next, owner);
  assert.ok((await counterOf(app, shard)) > counter, 'leaseCounter bumped by the take');
  assert.match(await leaseRow(app, shard).locator('td').nth(4).textContent(), /^[01]$/, 'ownerSwitchesSinceCheckpoint');
  // Restart the crashed worker; remove another.
  await app.locator(`.worker[data-worker="${owner}"]`).getByRole('button', { name: 'Restart' }).click();
  assert.equal(await app.locator('.worker.crashed').count(), 0);
  await app.getByRole('button', { name: 'Add worker' }).click();
  assert.match(await flash(page), /^worker-4 started/);
  await app.locator('.worker[data-worker="worker-4"]').getByRole('button', { name: 'Remove' }).click();
  assert.equal(await app.locator('.worker').count(), 3);
  // Refused controls say why, in the banner.
  await startKcl(page, 'orders', 'orders-app', 1);
  assert.equal(await flash(page), 'KCL: A KCL application named orders-app already exists.');
  await startKcl(page, 'orders', 'my app', 1);
  assert.equal(await flash(page), "KCL: The KCL could not create its lease table: ValidationException: 1 validation error detected: Value 'my app' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
  await kclPanel(page, 'orders').getByLabel('Workers', { exact: true }).fill('lots');
  await kclPanel(page, 'orders').getByRole('button', { name: 'Start KCL application' }).click();
  assert.equal(await kclPanel(page, 'orders').getByRole('alert').textContent(), 'Workers: a whole number from 0 to 1000.');

  // A reload replays the journaled controls: the same owner holds shard 0.
  await page.reload();
  await page.waitForSelector('html[data-ready]');
  await page.getByRole('button', { name: '‖ Pause' }).click();
  const again = kclPanel(page, 'orders').locator('.kcl-app[data-app="orders-app"]');
  assert.equal(await ownerOf(again, shard), next);
  assert.equal(await again.locator('.worker').count(), 3);
  await assertHealthy(page);
});

test('a skewed producer makes a shard hot and backs off; a split cools it; the charts show it', async () => {
  // Tall enough that the card's screenshot needs no scrolling under the sticky clock bar.
  const page = await open(ctx, { viewport: { width: 1280, height: 3600 } });
  await createStream(page, 'clicks', { shards: 2 });
  await nextDeadline(page);
  await startKcl(page, 'clicks', 'clicks-app', 3);
  await startProducer(page, 'clicks', { skew: '1', rate: '1500' });
  assert.equal(await flash(page), 'Producer clicks-producer puts 1500 records a second into clicks.');
  await step(page, 3);
  const card = streamCard(page, 'clicks');
  const hot = card.locator('.shard-lane.hot');
  await hot.first().waitFor();
  assert.equal(await hot.count(), 1, 'one hot shard');
  assert.match(await hot.getByTestId('throttled').textContent(), /\d+ writes throttled/);
  const producer = producerPanel(page, 'clicks').locator('.producer[data-producer="clicks-producer"]');
  // The page renders after the key presses are handled: wait for the third second's throttling to show.
  const stats = producer.getByTestId('producer-stats');
  await stats.filter({ hasText: /[1-9]\d* throttled/ }).waitFor();
  assert.match(await stats.textContent(), /^\d+ made · \d+ put · [1-9]\d* throttled · \d+ retried · backlog \d+/);
  // A retry waits most of the time while the shard is hot (not at every instant).
  for (let i = 0; i < 5 && !(await producer.getByTestId('producer-backoff').count()); i++) await step(page, 1);
  assert.match(await producer.getByTestId('producer-backoff').textContent(), /^Backing off: retry attempt \d+ of \d+ records? waits up to \d+(ms|s)/);

  // The stream's CloudWatch charts.
  await step(page, 10);
  await card.getByRole('button', { name: 'Show monitoring' }).click();
  const charts = card.getByTestId('stream-charts');
  assert.deepEqual(await charts.locator('figcaption').evaluateAll((els) => els.map((e) => e.firstChild.textContent)),
    ['IncomingRecords', 'IncomingBytes', 'WriteProvisionedThroughputExceeded', 'GetRecords.IteratorAgeMilliseconds (max)']);
  assert.match(await charts.locator('figure').nth(2).locator('.legend').textContent(), /records throttled [1-9]\d*/);
  await mkdir(OUT, { recursive: true });
  await card.screenshot({ path: `${OUT}kinesis-kcl-panels.png` });

  // Split the hot shard: the keys it held spread over two children, each with its own quota.
  const hotId = await hot.getAttribute('data-shard');
  await shardLane(page, 'clicks', hotId).getByRole('button', { name: 'Split' }).click();
  await step(page, 30);
  assert.equal(await card.locator('.shard-lane').count(), 3);
  assert.equal(await card.locator('.shard-lane.hot').count(), 0, 'no hot shard after the split');
  assert.equal(await producer.getByTestId('producer-backoff').count(), 0, 'nothing waits for a retry');
  // The KCL leases the children once the parent is read to SHARD_END.
  const app = kclPanel(page, 'clicks').locator('.kcl-app[data-app="clicks-app"]');
  assert.match(await leaseRow(app, hotId).locator('[data-col="checkpoint"]').textContent(), /^SHARD_END$/);
  assert.equal(await app.locator('.worker.busy').count(), 3, 'three open shards: three busy workers');

  await producer.getByLabel('Records per second of clicks-producer').fill('0');
  await producer.getByRole('button', { name: 'Set rate' }).click();
  assert.equal(await producer.getByRole('alert').textContent(), 'Records per second: a whole number from 1 to 2000.');
  await producer.getByRole('button', { name: 'Stop' }).click();
  assert.match(await producer.textContent(), /stopped/);
  await producer.getByRole('button', { name: 'Remove' }).click();
  assert.equal(await producerPanel(page, 'clicks').locator('.producer').count(), 0);
  await assertHealthy(page);
});

test('retention through Increase/DecreaseStreamRetentionPeriod, and a share link that recreates the setup', async () => {
  const page = await open(ctx);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await createStream(page, 'events', { shards: 1 });
  await nextDeadline(page);
  const card = streamCard(page, 'events');
  const retention = card.getByRole('form', { name: 'Retention of events' });
  await retention.getByLabel('Retention period (hours)').fill('48');
  await retention.getByRole('button', { name: 'Increase retention' }).click();
  assert.equal(await flash(page), 'events now keeps records for 48 hours.');
  assert.match(await card.locator('.settings').textContent(), /^Retention 48 h \(2 days\)/);
  assert.match(await page.getByTestId('log').locator('.cli code').first().textContent(),
    /^aws kinesis increase-stream-retention-period --retention-period-hours 48 --stream-name events$/);
  await retention.getByLabel('Retention period (hours)').fill('100');
  await retention.getByRole('button', { name: 'Decrease retention' }).click();
  assert.match(await flash(page), /^InvalidArgumentException: Requested retention period \(100 hours\) for stream events can not be longer than existing retention period \(48 hours\)/);
  await retention.getByLabel('Retention period (hours)').fill('9000');
  await retention.getByRole('button', { name: 'Increase retention' }).click();
  assert.match(await flash(page), /^InvalidArgumentException: /);

  await startKcl(page, 'events', 'events-app', 2);
  await startProducer(page, 'events', { strategy: 'random', rate: '20' });
  await page.getByRole('button', { name: 'Copy share link' }).click();
  const link = await page.getByTestId('share-link').inputValue();
  assert.match(link, /\/labs\/kinesis\/#setup=[A-Za-z0-9_-]+$/);
  assert.match(await page.locator('.share small').textContent(), /streams .* KCL applications/);
  await assertHealthy(page);

  const context = await ctx.browser.newContext();
  const other = await context.newPage();
  await other.goto(link);
  await other.waitForSelector('html[data-ready]');
  await other.getByRole('button', { name: '‖ Pause' }).click();
  assert.match(await other.getByTestId('flash').textContent(), /This share link was restored: 1 stream\./);
  assert.match(await streamCard(other, 'events').locator('.settings').textContent(), /^Retention 48 h/);
  assert.equal(await kclPanel(other, 'events').locator('.kcl-app[data-app="events-app"] .worker').count(), 2);
  assert.match(await producerPanel(other, 'events').textContent(), /events-producer.*20 records\/s · random key/);
  await context.close();
});
