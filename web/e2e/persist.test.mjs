// State survives a reload (local storage); damaged saved data gives a clear
// message and a fresh start; a share link recreates the setup elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, open, assertHealthy, createQueue, card, counts, send, receive } from './helpers.mjs';

const ctx = setup();

test('a reload keeps queues, messages, the clock and the log', async () => {
  const page = await open(ctx);
  await createQueue(page, 'kept');
  await send(page, 'kept', 'one');
  await send(page, 'kept', 'two');
  await receive(page, 'kept');
  for (let i = 0; i < 3; i++) await page.keyboard.press('s');
  const before = await page.getByTestId('clock-rel').textContent();
  const logBefore = await page.getByTestId('log').locator('.entry').count();
  await page.reload();
  await page.waitForSelector('html[data-ready]');
  await page.getByRole('button', { name: '‖ Pause' }).click();
  assert.equal(await page.getByTestId('flash').locator('span').textContent(), 'Your saved playground was restored: 1 queue.');
  assert.deepEqual(await counts(page, 'kept'), { available: 1, inFlight: 1, delayed: 0 });
  assert.ok((await page.getByTestId('clock-rel').textContent()) >= before);
  assert.equal(await page.getByTestId('log').locator('.entry').count(), logBefore);
  // The restored receipt handle still deletes the in-flight message.
  await card(page, 'kept').locator('.lane.inflight .chip').click();
  await card(page, 'kept').getByRole('button', { name: 'Delete message' }).click();
  assert.deepEqual(await counts(page, 'kept'), { available: 1, inFlight: 0, delayed: 0 });
  await assertHealthy(page);
});

test('damaged saved data: a clear message and a fresh start, never a blank page', async () => {
  for (const [saved, message] of [
    ['{"v":1,"seed":', 'Your saved playground could not be restored because it is not valid JSON. Starting fresh.'],
    ['{"v":99}', 'Your saved playground could not be restored because it was saved by another version of Decouple (format 99). Starting fresh.'],
  ]) {
    const context = await ctx.browser.newContext();
    // Written before the app starts, as a previous visit would have left it.
    await context.addInitScript((text) => {
      if (!sessionStorage.getItem('seeded')) {
        sessionStorage.setItem('seeded', '1');
        localStorage.setItem('decouple.playground:' + location.pathname + location.search, text);
      }
    }, saved);
    const page = await context.newPage();
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(String(e)));
    await page.goto(ctx.server.url);
    await page.waitForSelector('html[data-ready]');
    assert.equal(await page.getByTestId('flash').locator('span').textContent(), message);
    await page.getByRole('button', { name: '‖ Pause' }).click();
    await createQueue(page, 'fresh');
    assert.equal(await card(page, 'fresh').count(), 1);
    await assertHealthy(page);
  }
});

test('a share link recreates queues, attributes, the DLQ and simulated apps', async () => {
  const page = await open(ctx);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await createQueue(page, 'shared-dlq');
  await createQueue(page, 'shared', { visibility: 45, dlq: 'shared-dlq', maxReceive: 4 });
  await send(page, 'shared', 'not part of the setup');
  const apps = card(page, 'shared').locator('details.apps');
  await apps.locator('summary').click();
  await apps.getByRole('button', { name: 'Add producer' }).click();
  await page.getByRole('button', { name: 'Copy share link' }).click();
  const link = await page.getByTestId('share-link').inputValue();
  assert.match(link, /\/labs\/sqs\/#setup=[A-Za-z0-9_-]+$/);
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
  await assertHealthy(page);

  const context = await ctx.browser.newContext();
  const other = await context.newPage();
  await other.goto(link);
  await other.waitForSelector('html[data-ready]');
  await other.getByRole('button', { name: '‖ Pause' }).click();
  assert.match(await other.getByTestId('flash').textContent(), /This share link was restored: 2 queues\./);
  assert.equal(new URL(other.url()).hash, '', 'the fragment is dropped so a reload keeps local progress');
  const shared = other.locator('article[data-queue="shared"]');
  assert.match(await shared.locator('.settings').textContent(), /Visibility timeout 45 s/);
  assert.match(await shared.locator('.dlq-link').textContent(), /shared-dlq after 4 receives/);
  assert.match(await shared.locator('details.apps summary').textContent(), /Simulated apps \(1\)/);
  // The producer sent its first message at time zero; the old message is not part of a setup.
  assert.doesNotMatch(await shared.textContent(), /not part of the setup/);
  await context.close();
});
