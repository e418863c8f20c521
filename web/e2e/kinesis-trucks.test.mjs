// The course's ordering comparison on the Kinesis page: 100 trucks report
// positions to a 5-shard stream (partition key: the truck) and to an SQS
// FIFO queue (group: the truck). Each truck lands in exactly one shard; the
// queue has a group per truck, and ten consumers lock the groups they hold.
// Also a screenshot of the panel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { setup, open, assertHealthy, nextDeadline } from './helpers.mjs';

const ctx = setup('kinesis');
const OUT = fileURLToPath(new URL('./screenshots/', import.meta.url));
const flash = (page) => page.getByTestId('flash').locator('span').textContent();

test('the trucks demo: the same fleet on five shards and on a FIFO queue with a group per truck', async () => {
  const page = await open(ctx);
  await page.getByRole('button', { name: 'Set up the trucks demo' }).click();
  assert.equal(await flash(page), 'Created the stream trucks (5 shards, ACTIVE in 10 virtual seconds) and the FIFO queue trucks.fifo.');
  const demo = page.getByTestId('trucks');
  // While the stream is CREATING, PutRecords is refused with AWS's error.
  await demo.getByRole('button', { name: 'Report positions (round 1)' }).click();
  assert.match(await flash(page), /ResourceNotFoundException|ResourceInUseException/);
  await nextDeadline(page);
  await demo.getByRole('button', { name: 'Report positions (round 1)' }).click();
  assert.equal(await flash(page), 'Round 1: 100 trucks reported, to the stream and to the queue.');
  await demo.getByRole('button', { name: 'Report positions (round 2)' }).click();

  // Kinesis: five shards share the 100 trucks; each truck's two reports are in one shard.
  const rows = demo.locator('.trucks-shards tbody tr');
  assert.equal(await rows.count(), 5);
  let trucks = 0;
  let records = 0;
  for (let i = 0; i < 5; i++) {
    trucks += Number(await rows.nth(i).locator('td').nth(0).textContent());
    records += Number(await rows.nth(i).locator('td').nth(1).textContent());
  }
  assert.equal(trucks, 100, 'every truck in exactly one shard');
  assert.equal(records, 200);

  // SQS FIFO: a group per truck with its two reports.
  const cells = demo.locator('.group-cell');
  assert.equal(await cells.count(), 100);
  assert.equal(await cells.first().textContent(), '2');
  assert.equal(await cells.first().getAttribute('title'), 'group truck-001: 2 waiting, 0 in flight');
  await demo.getByRole('button', { name: 'Receive as 10 consumers (SQS)' }).click();
  const locked = Number((await demo.getByTestId('locked').textContent()).split(' ')[0]);
  assert.ok(locked > 0 && locked <= 100, `${locked} groups locked`);
  assert.equal(await demo.locator('.group-cell.locked').count(), locked);
  assert.equal(await page.getByTestId('log').locator('.entry').first().locator('.head b').textContent(), 'ReceiveMessage');

  await mkdir(OUT, { recursive: true });
  await demo.screenshot({ path: `${OUT}kinesis-trucks.png` });
  await assertHealthy(page);
});
