// Quality bars: bodies as text, AWS's errors with the app still working,
// edit/purge/delete, the clock's controls and shortcuts, embedding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, open, assertHealthy, createQueue, card, counts, send, receive } from './helpers.mjs';

const ctx = setup();

test('a body with HTML is shown literally, never run', async () => {
  const page = await open(ctx);
  await createQueue(page, 'xss');
  const body = '<img src=x onerror=alert(1)>';
  await send(page, 'xss', body);
  const c = card(page, 'xss');
  await c.locator('.lane.visible .chip').click();
  assert.equal(await c.getByTestId('detail-body').textContent(), body);
  assert.equal(await page.locator('article img').count(), 0);
  // Attribute values too.
  await c.getByRole('button', { name: '+ Add attribute' }).click();
  await c.getByLabel('Attribute 1 name').fill('html');
  await c.getByLabel('Attribute 1 value').fill('<b onmouseover=alert(2)>x</b>');
  await send(page, 'xss', 'with attribute');
  await c.locator('.lane.visible .chip').nth(1).click();
  assert.match(await c.locator('table.attrs').textContent(), /<b onmouseover=alert\(2\)>x<\/b>/);
  assert.equal(await page.locator('article b[onmouseover]').count(), 0);
  await assertHealthy(page);
});

test("an invalid attribute value shows AWS's error and the app keeps working", async () => {
  const page = await open(ctx);
  await createQueue(page, 'bad', { visibility: 99999 });
  const flash = page.getByTestId('flash');
  assert.equal(
    await flash.locator('span').textContent(),
    'InvalidAttributeValue: Invalid value for the parameter VisibilityTimeout.',
  );
  assert.equal(await flash.getAttribute('role'), 'alert');
  assert.equal(await page.locator('.log .entry.error').count(), 1);
  assert.equal(await card(page, 'bad').count(), 0);
  await createQueue(page, 'bad', { visibility: 60 });
  assert.equal(await card(page, 'bad').count(), 1);
  await send(page, 'bad', 'still works');
  assert.equal((await counts(page, 'bad')).available, 1);
  // A receive asking for 11 messages gets AWS's error too.
  await receive(page, 'bad', { max: 11 });
  assert.match(await flash.textContent(), /^(InvalidParameterValue|ReadCountOutOfRange)/);
  await assertHealthy(page);
});

test('encryption and policies: a bad policy gets AWS\'s error, SSE-KMS is stored', async () => {
  const page = await open(ctx);
  await page.fill('#create-policy', '{not json');
  await createQueue(page, 'secured');
  assert.equal(
    await page.getByTestId('flash').locator('span').textContent(),
    'InvalidAttributeValue: Invalid value for the parameter Policy.',
  );
  assert.equal(await card(page, 'secured').count(), 0);
  await page.fill('#create-policy', '');
  await page.selectOption('#create-sse', 'kms');
  await page.fill('#create-kmskey', 'alias/course-key');
  await createQueue(page, 'secured');
  assert.equal(await card(page, 'secured').count(), 1);
  // The CreateQueue call carried the KMS attributes, as the log's CLI line shows.
  assert.match(await page.locator('.log .entry').first().textContent(), /KmsMasterKeyId.*alias\/course-key/);
  await assertHealthy(page);
});

test('edit attributes, purge and delete a queue', async () => {
  const page = await open(ctx);
  await createQueue(page, 'edit-me');
  const c = card(page, 'edit-me');
  await c.getByRole('button', { name: 'Edit' }).click();
  await page.fill('#edit-edit-me-visibility', '45');
  await page.fill('#edit-edit-me-delay', '3');
  await c.getByRole('button', { name: 'Save' }).click();
  assert.match(await c.locator('.settings').textContent(), /Visibility timeout 45 s .* delay 3 s/);
  assert.match(await page.getByTestId('log').textContent(), /aws sqs set-queue-attributes --attributes '\{"DelaySeconds":"3","VisibilityTimeout":"45"\}'/);
  await send(page, 'edit-me', 'x', { count: 25 });
  assert.equal((await counts(page, 'edit-me')).delayed, 25);
  await c.getByRole('button', { name: 'Purge' }).click();
  assert.equal((await counts(page, 'edit-me')).delayed, 0);
  await c.getByRole('button', { name: 'Delete' }).click();
  assert.equal(await card(page, 'edit-me').count(), 0);
  await assertHealthy(page);
});

test('clock: step, speeds, play, next deadline, reset and the help overlay by keyboard', async () => {
  const page = await open(ctx);
  const rel = page.getByTestId('clock-rel');
  assert.equal(await rel.textContent(), '+00:00:00');
  assert.equal(await page.getByTestId('clock-utc').textContent(), '2026-01-01 00:00:00 UTC');
  await page.keyboard.press('s');
  assert.equal(await rel.textContent(), '+00:00:01');
  await page.getByRole('button', { name: '+1 s' }).click();
  assert.equal(await rel.textContent(), '+00:00:02');
  await page.keyboard.press('4');
  assert.equal(await page.getByRole('button', { name: '600×' }).getAttribute('aria-pressed'), 'true');
  // Space on a focused button presses that button; elsewhere it is play/pause.
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press(' '); // play at 600×: ten virtual minutes per real second
  await page.waitForFunction(() => document.querySelector('[data-testid=clock-rel]').textContent >= '+00:01:00');
  await page.keyboard.press(' ');
  assert.equal(await page.getByRole('button', { name: '▶ Play' }).count(), 1);
  await page.keyboard.press('1');
  assert.equal(await page.getByRole('button', { name: '1×' }).getAttribute('aria-pressed'), 'true');

  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /Jump to the next deadline/);
  await page.keyboard.press('Escape');
  assert.equal(await dialog.count(), 0);

  await createQueue(page, 'q');
  await page.keyboard.press('r');
  assert.equal(await rel.textContent(), '+00:00:00');
  assert.equal(await card(page, 'q').count(), 0);
  // Typing in a field is not a shortcut.
  await page.locator('#create-name').pressSequentially('rs ');
  assert.equal(await rel.textContent(), '+00:00:00');
  await assertHealthy(page);
});

test('works under a sub-path and embedded in an iframe (?embed=1)', async () => {
  const context = await ctx.browser.newContext({ viewport: { width: 800, height: 800 } });
  const page = await context.newPage();
  await page.goto(ctx.server.origin + '/host.html');
  const frame = page.frameLocator('iframe');
  await frame.locator('html[data-ready]').waitFor();
  assert.equal(await frame.locator('.app.embed').count(), 1);
  await frame.getByRole('button', { name: '‖ Pause' }).click();
  await frame.locator('#create-name').fill('embedded');
  await frame.getByRole('button', { name: 'Create queue' }).click();
  await frame.locator('article[data-queue="embedded"]').waitFor();
  await context.close();
});

test('at 360 px wide nothing overflows sideways', async () => {
  const page = await open(ctx, { viewport: { width: 360, height: 740 } });
  await createQueue(page, 'narrow');
  await send(page, 'narrow', 'x');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the viewport`);
  await assertHealthy(page);
});
