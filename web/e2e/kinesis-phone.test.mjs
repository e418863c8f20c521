// The Kinesis page on a phone (390×844, an iPhone 12–15): a stream card with
// a KCL application of several workers fits the screen, its lease table
// included — each lease reads as a card of the KCL's attribute names and
// values instead of a seven-column table scrolled sideways. Saves a
// screenshot of the card into screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { setup, open, assertHealthy, nextDeadline, streamCard, createStream, putRecords } from './helpers.mjs';

const ctx = setup('kinesis');
const OUT = fileURLToPath(new URL('./screenshots/', import.meta.url));
const PHONE = { width: 390, height: 844 };
const ATTRIBUTES = ['leaseKey', 'leaseOwner', 'leaseCounter', 'checkpoint', 'ownerSwitchesSinceCheckpoint', 'parentShardId', 'childShardIds'];

/** How far an element's content reaches past its box, sideways (0: it fits). */
const overflow = (locator) => locator.evaluate((el) => el.scrollWidth - el.clientWidth);

test('on a phone the stream card with a 3-worker KCL application and its lease table does not scroll sideways', async () => {
  const page = await open(ctx, { viewport: PHONE });
  await createStream(page, 'orders', { shards: 2 });
  await nextDeadline(page);
  const card = streamCard(page, 'orders');
  const kcl = card.getByRole('region', { name: 'KCL applications reading orders' });
  await kcl.getByLabel('Application name', { exact: true }).fill('orders-app');
  await kcl.getByLabel('Workers', { exact: true }).fill('3');
  await kcl.getByRole('button', { name: 'Start KCL application' }).click();
  const app = kcl.locator('.kcl-app[data-app="orders-app"]');
  for (let i = 0; i < 5; i++) await page.keyboard.press('s');
  await putRecords(page, 'orders', 20);
  for (let i = 0; i < 2; i++) await page.keyboard.press('s');
  // A crashed worker's lease carries the longest cell text: its countdown note.
  const busy = app.locator('.worker.busy').first();
  await busy.getByRole('button', { name: 'Crash' }).click();

  const table = app.getByRole('table', { name: /^DynamoDB table orders-app/ });
  await table.waitFor();
  const rows = table.locator('tbody tr');
  assert.equal(await rows.count(), 2, 'one lease per shard');
  assert.equal(await app.locator('.worker').count(), 3);
  assert.match(await app.locator('.lease-note').first().textContent(), /^crashed · expires in/);

  // Nothing is lost: every lease shows each attribute, named as the KCL names it.
  for (const row of await rows.all()) {
    const cells = row.locator('td');
    assert.deepEqual(await cells.evaluateAll((tds) => tds.map((td) => getComputedStyle(td, '::before').content.replaceAll('"', '').replaceAll('\u200b', ''))), ATTRIBUTES);
    for (const td of await cells.all()) assert.equal(await td.isVisible(), true);
  }
  assert.match(await rows.first().locator('[data-col="checkpoint"]').textContent(), /^…\d{8} after #\d+$/);

  // The card, the table's wrapper and the page itself fit the phone's width.
  assert.equal(await overflow(table.locator('xpath=..')), 0, 'the lease table scrolls sideways');
  assert.equal(await overflow(card), 0, 'the stream card scrolls sideways');
  assert.ok(await card.evaluate((el) => el.scrollWidth <= el.clientWidth));
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), PHONE.width, 'the page scrolls sideways');
  const box = await table.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width, `the table (${box.x}+${box.width}) leaves the screen`);

  // Tall enough that the screenshot needs no scrolling under the sticky clock bar.
  await page.setViewportSize({ width: PHONE.width, height: 2400 });
  await mkdir(OUT, { recursive: true });
  await app.screenshot({ path: `${OUT}kinesis-phone-kcl.png` });
  await assertHealthy(page);
});

test('on a laptop (1280 wide, the card beside the API log) the leases are stacked too, and remain a table to assistive technology', async () => {
  const page = await open(ctx, { viewport: { width: 1280, height: 900 } });
  await createStream(page, 'orders', { shards: 2 });
  await nextDeadline(page);
  const card = streamCard(page, 'orders');
  const kcl = card.getByRole('region', { name: 'KCL applications reading orders' });
  await kcl.getByLabel('Workers', { exact: true }).fill('2');
  await kcl.getByRole('button', { name: 'Start KCL application' }).click();
  const table = kcl.getByRole('table', { name: /^DynamoDB table orders-consumer/ });
  await table.waitFor();
  assert.deepEqual(await table.getByRole('columnheader').allTextContents(), ATTRIBUTES);
  assert.equal(await table.getByRole('row').count(), 3, 'the header row and one row per lease');
  assert.equal(await table.getByRole('cell').count(), 14);
  assert.equal(await overflow(table.locator('xpath=..')), 0, 'the lease table scrolls sideways');
  assert.equal(await overflow(card), 0, 'the stream card scrolls sideways');
  await page.setViewportSize({ width: 1280, height: 2000 });
  await mkdir(OUT, { recursive: true });
  await kcl.screenshot({ path: `${OUT}kinesis-laptop-kcl.png` });
  await assertHealthy(page);
});
