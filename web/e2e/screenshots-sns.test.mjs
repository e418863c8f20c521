// Screenshots of the SNS page (dist/sns/): a topic fanning out to two queues,
// a failing https endpoint with its retry schedule, and a bucket notifying a
// queue (desktop and 360 px, light and dark, and embedded) into screenshots/
// (git-ignored). Also checks the scene renders without errors in each.
import { test } from 'node:test';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  setup, open, assertHealthy, createQueue, topicCard, bucketCard, createTopic, subscribe, publish,
} from './helpers.mjs';

const ctx = setup('sns');
const OUT = fileURLToPath(new URL('./screenshots/', import.meta.url));

async function fanOutScene(page) {
  await createQueue(page, 'billing');
  await createQueue(page, 'shipping');
  await createTopic(page, 'orders');
  await subscribe(page, 'orders', { queue: 'billing' });
  await subscribe(page, 'orders', { queue: 'shipping', policy: '{"region": ["eu"]}', raw: true });
  await subscribe(page, 'orders', { protocol: 'https', endpoint: 'https://example.com/hook' });
  const hook = topicCard(page, 'orders').getByTestId('subscription').filter({ hasText: 'example.com' });
  await hook.getByRole('button', { name: 'Confirm subscription' }).click();
  await hook.getByRole('button', { name: 'Make endpoint fail' }).click();
  await publish(page, 'orders', '{"order": 1001, "total": 42}', [['region', 'String', 'us']]);
  await topicCard(page, 'orders').getByRole('form', { name: 'Subscribe to orders' })
    .getByLabel('Filter policy (JSON)').fill('{"region": "eu"}');
  await topicCard(page, 'orders').locator('details.tester summary').click();
  await page.fill('#bucket-name', 'photos');
  await page.getByRole('button', { name: 'Create bucket' }).click();
  const notify = bucketCard(page, 'photos').getByRole('form', { name: 'Add an event notification to photos' });
  await notify.getByLabel('Destination').selectOption({ label: 'queue billing' });
  await notify.getByRole('button', { name: 'Save notification' }).click();
  await bucketCard(page, 'photos').getByRole('button', { name: 'Upload object' }).click();
}

for (const [name, viewport] of [['desktop', { width: 1400, height: 1000 }], ['mobile', { width: 360, height: 780 }]]) {
  for (const colorScheme of ['light', 'dark']) {
    test(`screenshot sns and s3 ${name} ${colorScheme}`, async () => {
      await mkdir(OUT, { recursive: true });
      const page = await open(ctx, { viewport, colorScheme });
      await fanOutScene(page);
      await topicCard(page, 'orders').screenshot({ path: `${OUT}${name}-${colorScheme}-topic-card.png` });
      await bucketCard(page, 'photos').screenshot({ path: `${OUT}${name}-${colorScheme}-bucket-card.png` });
      await page.screenshot({ path: `${OUT}${name}-${colorScheme}-sns-s3.png`, fullPage: true });
      await assertHealthy(page);
    });
  }
}

test('screenshot the SNS page embedded in an iframe', async () => {
  await mkdir(OUT, { recursive: true });
  const context = await ctx.browser.newContext({ viewport: { width: 460, height: 760 } });
  const page = await context.newPage();
  await page.goto(ctx.server.origin + '/host.html');
  await page.frameLocator('iframe').locator('html[data-ready]').waitFor();
  await page.screenshot({ path: `${OUT}sns-embed.png` });
  await context.close();
});
