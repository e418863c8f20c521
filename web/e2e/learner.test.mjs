// A learner's main path through the playground: create, send, receive,
// watch the message come back after the visibility timeout, delete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, open, assertHealthy, createQueue, card, counts, send, receive, nextDeadline, lastSummary } from './helpers.mjs';

const ctx = setup();

test('create, send, receive, visible again at the deadline, delete', async () => {
  const page = await open(ctx);
  await createQueue(page, 'orders');
  await page.getByText('Queue orders created successfully.').waitFor();
  await send(page, 'orders', 'hello');
  assert.deepEqual(await counts(page, 'orders'), { available: 1, inFlight: 0, delayed: 0 });

  // Receiving moves the chip from Available to In flight, and it glides there.
  const flipsBefore = await page.evaluate(() => window.__decoupleFlips || 0);
  await receive(page, 'orders');
  await page.waitForFunction((n) => (window.__decoupleFlips || 0) > n, flipsBefore);
  assert.deepEqual(await counts(page, 'orders'), { available: 0, inFlight: 1, delayed: 0 });
  assert.match(await page.getByTestId('next-deadline').textContent(), /in 30s — orders: msg 1 becomes visible again/);

  await nextDeadline(page);
  assert.deepEqual(await counts(page, 'orders'), { available: 1, inFlight: 0, delayed: 0 });
  assert.equal(await page.getByTestId('clock-rel').textContent(), '+00:00:30');

  await receive(page, 'orders');
  const orders = card(page, 'orders');
  // The chip says who holds the message: the learner's own receive.
  assert.match(await orders.locator('.lane.inflight .chip').first().textContent(), /· you/);
  await orders.locator('.lane.inflight .chip').first().click();
  assert.equal(await orders.getByTestId('detail-body').textContent(), 'hello');
  await orders.getByRole('button', { name: 'Delete message' }).click();
  assert.deepEqual(await counts(page, 'orders'), { available: 0, inFlight: 0, delayed: 0 });

  // The log shows each call as the AWS CLI command and the raw JSON.
  const log = page.getByTestId('log');
  assert.match(await log.textContent(), /aws sqs create-queue --queue-name orders/);
  assert.match(
    await log.textContent(),
    /aws sqs send-message --message-body hello --queue-url https:\/\/sqs\.us-east-1\.amazonaws\.com\/000000000000\/orders/,
  );
  assert.match(await lastSummary(page), /DeleteMessage succeeded/);
  await log.locator('.entry').first().locator('summary').click();
  assert.match(await log.locator('.entry').first().locator('pre').first().textContent(), /X-Amz-Target: AmazonSQS.DeleteMessage/);
  assert.match(await page.getByTestId('live').textContent(), /DeleteMessage succeeded/);
  await assertHealthy(page);
});

test('delayed message counts down and becomes available', async () => {
  const page = await open(ctx);
  await createQueue(page, 'later');
  await send(page, 'later', 'soon', { delay: 5 });
  assert.deepEqual(await counts(page, 'later'), { available: 0, inFlight: 0, delayed: 1 });
  assert.match(await card(page, 'later').locator('.lane.delayed .chip').textContent(), /5s/);
  await page.keyboard.press('s'); // +1 s
  assert.match(await card(page, 'later').locator('.lane.delayed .chip').textContent(), /4s/);
  await nextDeadline(page);
  assert.deepEqual(await counts(page, 'later'), { available: 1, inFlight: 0, delayed: 0 });
  await assertHealthy(page);
});

test('FIFO: a message group is blocked while one of its messages is in flight', async () => {
  const page = await open(ctx);
  await createQueue(page, 'jobs.fifo', { fifo: true, contentDedup: true });
  await send(page, 'jobs.fifo', 'a1', { group: 'g1' });
  await send(page, 'jobs.fifo', 'a2', { group: 'g1' });
  await send(page, 'jobs.fifo', 'b1', { group: 'g2' });
  assert.equal((await counts(page, 'jobs.fifo')).available, 3);
  // Groups are colour-coded.
  const chips = card(page, 'jobs.fifo').locator('.lane.visible .chip.grouped');
  assert.equal(await chips.count(), 3);
  assert.notEqual(await chips.nth(0).getAttribute('style'), await chips.nth(2).getAttribute('style'));

  await receive(page, 'jobs.fifo'); // a1 (g1's head)
  await receive(page, 'jobs.fifo'); // g1 is blocked, so b1
  await receive(page, 'jobs.fifo'); // nothing: a2 waits behind a1
  assert.match(await lastSummary(page), /ReceiveMessage → 0 messages/);
  assert.deepEqual(await counts(page, 'jobs.fifo'), { available: 1, inFlight: 2, delayed: 0 });
  // a2 is shown as blocked behind a1.
  assert.match(await card(page, 'jobs.fifo').locator('.lane.visible .chip.blocked').textContent(), /#2.*a2/);
  const inflight = await card(page, 'jobs.fifo').locator('.lane.inflight .chip').allTextContents();
  assert.match(inflight.join(' '), /a1.*b1/);

  // Deleting a1 unblocks g1: a2 comes next.
  await card(page, 'jobs.fifo').locator('.lane.inflight .chip').first().click();
  await card(page, 'jobs.fifo').getByRole('button', { name: 'Delete message' }).click();
  await receive(page, 'jobs.fifo');
  assert.match(await card(page, 'jobs.fifo').locator('.lane.inflight').textContent(), /a2/);
  await assertHealthy(page);
});

test('a poison message reaches the DLQ after maxReceiveCount, and redrive brings it back', async () => {
  const page = await open(ctx);
  await createQueue(page, 'orders-dlq');
  await createQueue(page, 'orders', { dlq: 'orders-dlq', maxReceive: 2 });
  const orders = card(page, 'orders');
  assert.match(await orders.locator('.dlq-link').textContent(), /Dead-letter queue: orders-dlq after 2 receives/);
  assert.equal(await orders.locator('.dlq-link a').getAttribute('href'), '#q-orders-dlq');
  await send(page, 'orders', 'poison');
  for (let i = 0; i < 2; i++) {
    await receive(page, 'orders');
    assert.equal((await counts(page, 'orders')).inFlight, 1);
    await nextDeadline(page);
  }
  await receive(page, 'orders'); // the third receive moves it instead
  assert.deepEqual(await counts(page, 'orders'), { available: 0, inFlight: 0, delayed: 0 });
  assert.equal((await counts(page, 'orders-dlq')).available, 1);
  await card(page, 'orders-dlq').locator('.lane.visible .chip').click();
  assert.match(await card(page, 'orders-dlq').getByTestId('detail').textContent(), /Dead-letter source.*orders/);

  await card(page, 'orders-dlq').getByRole('button', { name: 'Start DLQ redrive' }).click();
  for (let i = 0; i < 5 && (await counts(page, 'orders')).available === 0; i++) await nextDeadline(page);
  assert.equal((await counts(page, 'orders')).available, 1);
  assert.equal((await counts(page, 'orders-dlq')).available, 0);
  await assertHealthy(page);
});

test('a long poll waits on the card and a send wakes it', async () => {
  const page = await open(ctx);
  await createQueue(page, 'events');
  await receive(page, 'events', { wait: 20 });
  await card(page, 'events').getByTestId('long-poll').waitFor();
  assert.match(await card(page, 'events').getByTestId('long-poll').textContent(), /1 consumer waiting/);
  assert.match(await page.getByTestId('next-deadline').textContent(), /long poll .* returns empty/);
  await send(page, 'events', 'wake up');
  assert.equal(await card(page, 'events').getByTestId('long-poll').count(), 0);
  assert.deepEqual(await counts(page, 'events'), { available: 0, inFlight: 1, delayed: 0 });
  const receiveEntry = page.getByTestId('log').locator('.entry', { hasText: 'ReceiveMessage →' });
  assert.match(await receiveEntry.textContent(), /ReceiveMessage → 1 message/);
  await assertHealthy(page);
});
