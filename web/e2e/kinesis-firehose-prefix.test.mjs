// Custom S3 prefixes on the Kinesis page's Firehose panel (dist/kinesis/), as
// a learner types them: a prefix with !{timestamp:...} and
// !{firehose:random-string} and an error output prefix with
// !{firehose:error-output-type} go into the CLI line, name the delivered
// objects (the error output too), and show on the card; a prefix with
// expressions but no error output prefix, or with a pattern letter the
// simulation does not evaluate, is refused with AWS's InvalidArgumentException
// in the flash banner and nothing is created. A screenshot goes to screenshots/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { setup, open, assertHealthy, nextDeadline } from './helpers.mjs';

const ctx = setup('kinesis');
const OUT = fileURLToPath(new URL('./screenshots/', import.meta.url));
const flash = (page) => page.getByTestId('flash').locator('span').textContent();
const deliveryCard = (page, name) => page.locator(`article[data-delivery-stream="${name}"]`);
const cliLines = (page) => page.getByTestId('log').locator('.cli code').allTextContents();
const SUFFIX = '-1-\\d{4}-\\d{2}-\\d{2}-\\d{2}-\\d{2}-\\d{2}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

async function createWithPrefixes(page, name, { prefix, errorPrefix, transform, contains }) {
  await page.getByLabel('Delivery stream name').fill(name);
  await page.getByLabel('Buffer interval (s)').fill('0');
  await page.getByLabel('S3 prefix', { exact: true }).fill(prefix);
  await page.getByLabel('S3 error output prefix').fill(errorPrefix);
  if (transform !== undefined) await page.getByLabel('Transform (Lambda)').selectOption(transform);
  if (contains !== undefined) await page.getByLabel('…the text').fill(contains);
  await page.getByRole('button', { name: 'Create delivery stream' }).click();
}

test('a typed prefix names the delivered objects; a bad one is refused in the banner', async () => {
  const page = await open(ctx);
  // The hints show what an expression looks like.
  assert.match(await page.locator('#firehose').textContent(), /logs\/!\{timestamp:yyyy\/MM\/dd\}\//);
  await createWithPrefixes(page, 'logs', {
    prefix: 'logs/!{timestamp:yyyy/MM/dd}/!{firehose:random-string}/',
    errorPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy}/',
    transform: 'fail',
    contains: 'bad',
  });
  assert.match(await flash(page), /^Delivery stream logs \(and its bucket\) created: CREATING/);
  const cli = (await cliLines(page))[0];
  assert.match(cli, /"Prefix":"logs\/!\{timestamp:yyyy\/MM\/dd\}\/!\{firehose:random-string\}\/"/);
  assert.match(cli, /"ErrorOutputPrefix":"errors\/!\{firehose:error-output-type\}\/!\{timestamp:yyyy\}\/"/);
  await nextDeadline(page);
  const card = deliveryCard(page, 'logs');
  assert.equal(await card.getByTestId('delivery-status').textContent(), 'ACTIVE');
  assert.match(await card.locator('.settings').textContent(),
    /prefix logs\/!\{timestamp:yyyy\/MM\/dd\}\/!\{firehose:random-string\}\/ · error output prefix errors\//);

  const form = card.getByRole('form', { name: 'Put records into delivery stream logs' });
  await form.getByLabel('Data', { exact: true }).fill('good');
  await form.getByRole('button', { name: 'Put record' }).click();
  await form.getByLabel('Data', { exact: true }).fill('bad');
  await form.getByRole('button', { name: 'Put record' }).click();
  const rows = card.locator('tr.delivery');
  assert.equal(await rows.count(), 2);
  // The page's clock starts on 2026-01-01 (UTC): the timestamp evaluates to that day.
  const delivered = card.locator('tr.delivery:not(.processing-failed)');
  assert.match(await delivered.getAttribute('data-key'), new RegExp(`^logs/2026/01/01/[0-9a-f]{11}/logs${SUFFIX}`));
  const failed = card.locator('tr.delivery.processing-failed');
  assert.match(await failed.getAttribute('data-key'), new RegExp(`^errors/processing-failed/2026/logs${SUFFIX}`));
  // The key is what the learner reads, in full, and it opens the object.
  await delivered.getByRole('button').click();
  assert.equal(await card.getByTestId('object-body').textContent(), 'good\n');
  await mkdir(OUT, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = await page.locator('#firehose').boundingBox();
  await page.screenshot({ path: `${OUT}kinesis-firehose-prefix.png`, fullPage: true, clip: box });

  // Expressions without an error output prefix: AWS's InvalidArgumentException, nothing created.
  await createWithPrefixes(page, 'no-errors', { prefix: 'logs/!{timestamp:yyyy}/', errorPrefix: '', transform: 'none' });
  assert.equal(
    await flash(page),
    'InvalidArgumentException: Ths supplied prefix(es) do not satisfy the following constraint: ErrorOutputPrefix cannot be null or empty when Prefix contains expressions',
  );
  assert.equal(await deliveryCard(page, 'no-errors').count(), 0);
  // A pattern letter the simulation does not evaluate is refused rather than guessed.
  await createWithPrefixes(page, 'weekday', { prefix: 'logs/!{timestamp:EEE}/', errorPrefix: 'errors/!{firehose:error-output-type}/' });
  assert.match(await flash(page), /^InvalidArgumentException: .*'EEE'.*not simulated/);
  assert.equal(await deliveryCard(page, 'weekday').count(), 0);
  await assertHealthy(page);
});
