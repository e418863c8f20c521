// Accessibility and embedding of the SNS and Kinesis pages with every panel
// populated: each form control has a label, each button an accessible name,
// ids are unique, and each page works embedded in a course page's iframe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  setup, open, assertHealthy, nextDeadline, createStream, putRecords, createQueue, createTopic, subscribe,
} from './helpers.mjs';

const kinesis = setup('kinesis');
const sns = setup('sns');

/** Controls without a label, buttons without a name, and duplicated ids, as found in the page. */
async function problems(page) {
  return page.evaluate(() => {
    const name = (el) => (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.textContent || el.title || '').trim();
    const unlabelled = [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
      .map((el) => el.outerHTML.slice(0, 80));
    const nameless = [...document.querySelectorAll('button')].filter((b) => !name(b)).map((b) => b.outerHTML.slice(0, 80));
    const seen = new Map();
    for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) ?? 0) + 1);
    const duplicates = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
    return { unlabelled, nameless, duplicates };
  });
}

test('the Kinesis page with every panel in use has labelled controls, named buttons and unique ids', async () => {
  const page = await open(kinesis);
  await createStream(page, 'clicks', { shards: 2 });
  await createStream(page, 'orders', { shards: 1 });
  await nextDeadline(page);
  await putRecords(page, 'clicks', 10);
  await page.getByRole('button', { name: 'Set up the trucks demo' }).click();
  await page.getByRole('button', { name: 'Start KCL application' }).first().click();
  await page.getByRole('button', { name: 'Start producer' }).first().click();
  await page.keyboard.press('s');
  assert.deepEqual(await problems(page), { unlabelled: [], nameless: [], duplicates: [] });
  await assertHealthy(page);
});

test('the SNS page with topics, devices and the Extended Client has labelled controls, named buttons and unique ids', async () => {
  const page = await open(sns);
  await createQueue(page, 'orders');
  await createQueue(page, 'audit');
  await createTopic(page, 'events');
  await subscribe(page, 'events', { queue: 'orders' });
  await page.getByRole('button', { name: 'Create platform application' }).click();
  await page.locator('article[data-app="orders-app"]').getByRole('button', { name: 'Register device' }).click();
  await page.getByRole('form', { name: 'Send a message to orders' }).getByLabel('Send through the SQS Extended Client').check();
  assert.deepEqual(await problems(page), { unlabelled: [], nameless: [], duplicates: [] });
  await assertHealthy(page);
});

for (const [label, ctx, create] of [
  ['Kinesis', kinesis, async (frame) => {
    await frame.locator('#stream-name').fill('embedded');
    await frame.getByRole('button', { name: 'Create stream' }).click();
    await frame.locator('article[data-stream="embedded"]').waitFor();
  }],
  ['SNS', sns, async (frame) => {
    await frame.locator('#topic-name').fill('embedded');
    await frame.getByRole('button', { name: 'Create topic' }).click();
    await frame.locator('article[data-topic="embedded"]').waitFor();
  }],
]) {
  test(`the ${label} page works embedded in a course page (?embed=1, under a sub-path)`, async () => {
    const context = await ctx.browser.newContext({ viewport: { width: 800, height: 800 } });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(ctx.server.origin + '/host.html');
    const frame = page.frameLocator('iframe');
    await frame.locator('html[data-ready]').waitFor();
    assert.equal(await frame.locator('.app.embed').count(), 1);
    await frame.getByRole('button', { name: '‖ Pause' }).click();
    await create(frame);
    assert.deepEqual(errors, []);
    await context.close();
  });
}
