// Screenshots of the SQS page's main views (desktop and 360 px, light and
// dark) into screenshots/ (git-ignored) for a person to look at. Also checks
// the scene renders without errors in each. The SNS page's are in
// screenshots-sns.test.mjs.
import { test } from 'node:test';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { setup, open, assertHealthy, createQueue, card, send, receive } from './helpers.mjs';

const ctx = setup();
const OUT = fileURLToPath(new URL('./screenshots/', import.meta.url));

async function scene(page) {
  await createQueue(page, 'orders-dlq');
  await createQueue(page, 'orders', { dlq: 'orders-dlq', maxReceive: 2 });
  await createQueue(page, 'jobs.fifo', { fifo: true, contentDedup: true });
  await send(page, 'orders', 'order #1001 {"sku":"A-17","qty":2}');
  await send(page, 'orders', '<img src=x onerror=alert(1)>');
  await send(page, 'orders', 'batch', { count: 8 });
  await send(page, 'orders', 'later', { delay: 45 });
  await receive(page, 'orders', { max: 2 });
  for (const [body, group] of [['a1', 'alpha'], ['a2', 'alpha'], ['b1', 'beta'], ['c1', 'gamma'], ['c2', 'gamma']]) {
    await send(page, 'jobs.fifo', body, { group });
  }
  await receive(page, 'jobs.fifo');
  const apps = card(page, 'jobs.fifo').locator('details.apps');
  await apps.locator('summary').click();
  await apps.getByLabel('Messages per minute').fill('20');
  await apps.getByRole('button', { name: 'Add producer' }).click();
  await apps.getByLabel('Processing time (s)').fill('40');
  await apps.getByRole('button', { name: 'Add consumer' }).click();
  for (let i = 0; i < 25; i++) await page.keyboard.press('s');
  await card(page, 'jobs.fifo').getByRole('button', { name: 'Show monitoring' }).click();
  await receive(page, 'orders-dlq', { wait: 20 });
  await card(page, 'orders').locator('.lane.inflight .chip').first().click();
  await createQueue(page, 'bad', { visibility: 99999 });
}

for (const [name, viewport] of [['desktop', { width: 1400, height: 1000 }], ['mobile', { width: 360, height: 780 }]]) {
  for (const colorScheme of ['light', 'dark']) {
    test(`screenshot ${name} ${colorScheme}`, async () => {
      await mkdir(OUT, { recursive: true });
      const page = await open(ctx, { viewport, colorScheme });
      await scene(page);
      await card(page, 'orders').screenshot({ path: `${OUT}${name}-${colorScheme}-orders-card.png` });
      await card(page, 'jobs.fifo').screenshot({ path: `${OUT}${name}-${colorScheme}-fifo-card.png` });
      await page.locator('.log').screenshot({ path: `${OUT}${name}-${colorScheme}-log.png`, clip: undefined });
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: `${OUT}${name}-${colorScheme}.png`, fullPage: true });
      await page.screenshot({ path: `${OUT}${name}-${colorScheme}-top.png` });
      if (name === 'desktop' && colorScheme === 'light') {
        await page.keyboard.press('?');
        await page.screenshot({ path: `${OUT}help.png` });
        await page.keyboard.press('Escape');
      }
      await assertHealthy(page);
    });
  }
}

test('screenshot embedded in an iframe', async () => {
  const context = await ctx.browser.newContext({ viewport: { width: 460, height: 760 } });
  const page = await context.newPage();
  await page.goto(ctx.server.origin + '/host.html');
  await page.frameLocator('iframe').locator('html[data-ready]').waitFor();
  await page.screenshot({ path: `${OUT}embed.png` });
  await context.close();
});
