// The SNS page's client-side patterns and devices, as a learner meets them:
// the SQS Extended Client sending a 300 KiB payload through S3 (the queue
// gets the libraries' pointer, the message details show the payload, and
// "Delete message and payload" removes both), deliveries travelling a
// subscription's edge, a slow https endpoint (answering in time, then too
// late for SNS's 15-second wait: retried, so it sees the notification twice),
// and mobile push — a platform application, a device,
// a push straight to it, a topic fanning out to it, and a disabled device
// refusing with EndpointDisabled. Also a screenshot of the devices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  setup, open, assertHealthy, createQueue, card, counts, receive, topicCard, createTopic, subscribe, publish,
} from './helpers.mjs';

const ctx = setup('sns');
const OUT = fileURLToPath(new URL('./screenshots/', import.meta.url));
const flash = (page) => page.getByTestId('flash').locator('span').textContent();
const deviceCard = (page, name) => page.locator(`article[data-app="${name}"]`);

async function createBucket(page, name) {
  await page.fill('#bucket-name', name);
  await page.getByRole('button', { name: 'Create bucket' }).click();
  await page.locator(`article[data-bucket="${name}"]`).waitFor();
}

test('the Extended Client puts a 300 KiB payload in S3 and the queue gets the pointer', async () => {
  const page = await open(ctx);
  await createQueue(page, 'jobs');
  await createBucket(page, 'large-payloads');
  const form = card(page, 'jobs').getByRole('form', { name: 'Send a message to jobs' });
  await form.getByLabel('Send through the SQS Extended Client').check();
  assert.equal(await form.getByLabel('Payload bucket').inputValue(), 'large-payloads');
  await form.getByLabel('Message body', { exact: true }).fill('small <b>one</b>');
  assert.match(await form.getByTestId('ext-size').textContent(), /fits, sent as an ordinary message/);
  await form.getByRole('button', { name: 'Fill the body with 300 KiB' }).click();
  assert.match(await form.getByTestId('ext-size').textContent(), /300\.0 KiB: the payload goes to S3/);
  await form.getByRole('button', { name: 'Send message' }).click();
  assert.match(await flash(page), /^The 300\.0 KiB payload went to s3:\/\/large-payloads\/[0-9a-f-]{36}; the queue holds the pointer/);
  assert.deepEqual(await counts(page, 'jobs'), { available: 1, inFlight: 0, delayed: 0 });
  // Two calls in the log: PutObject, then SendMessage; the 300 KiB is cut short on screen.
  const entries = page.getByTestId('log').locator('.entry');
  assert.equal(await entries.nth(0).locator('.head b').textContent(), 'SendMessage');
  assert.equal(await entries.nth(1).locator('.head b').textContent(), 'PutObject');
  assert.match(await entries.nth(1).locator('.cli code').textContent(), /more characters: the Copy button copies them all\]/);

  // The queue holds the libraries' pointer; the details show the payload from S3.
  await receive(page, 'jobs');
  await card(page, 'jobs').locator('.lane.inflight .chip').first().click();
  const body = JSON.parse(await card(page, 'jobs').getByTestId('detail-body').textContent());
  assert.equal(body[0], 'software.amazon.payloadoffloading.PayloadS3Pointer');
  assert.equal(body[1].s3BucketName, 'large-payloads');
  const payload = card(page, 'jobs').getByTestId('extended-payload');
  assert.match(await payload.textContent(), /the payload \(307200 bytes\) is s3:\/\/large-payloads\//);
  assert.match(await card(page, 'jobs').locator('table.attrs').textContent(), /ExtendedPayloadSize\s*Number\s*307200/);
  await mkdir(OUT, { recursive: true });
  await card(page, 'jobs').screenshot({ path: `${OUT}sns-extended-client.png` });
  await card(page, 'jobs').getByRole('button', { name: 'Delete message and payload' }).click();
  assert.match(await flash(page), /^Deleted the message and its payload s3:\/\/large-payloads\//);
  assert.deepEqual(await counts(page, 'jobs'), { available: 0, inFlight: 0, delayed: 0 });
  assert.match(await page.locator('article[data-bucket="large-payloads"]').textContent(), /Objects \(0\)/);

  // The reserved attribute is refused before any call, as the libraries throw.
  await form.getByRole('button', { name: '+ Add attribute' }).click();
  await form.getByLabel('Attribute 1 name').fill('ExtendedPayloadSize');
  await form.getByLabel('Attribute 1 value').fill('1');
  await form.getByRole('button', { name: 'Send message' }).click();
  assert.equal(await flash(page), 'Message attribute name ExtendedPayloadSize is reserved for use by the SQS extended client.');
  await assertHealthy(page);
});

test('a delivery travels the subscription edge; mobile push reaches a device directly and through a topic', async () => {
  const page = await open(ctx);
  await createQueue(page, 'orders');
  await createTopic(page, 'order-events');
  await subscribe(page, 'order-events', { queue: 'orders' });
  await publish(page, 'order-events', 'order 1 paid');
  const packet = topicCard(page, 'order-events').getByTestId('packet');
  assert.equal(await packet.count(), 1);
  assert.match(await packet.getAttribute('class'), /packet ok/);
  const animation = await packet.evaluate((el) => getComputedStyle(el).animationName);
  assert.equal(animation, 'packet-travel');

  // A platform application (FCM) and a device.
  await page.fill('#platform-app-name', 'orders-app');
  await page.selectOption('#platform-app-platform', 'GCM');
  await page.getByRole('button', { name: 'Create platform application' }).click();
  assert.equal(await flash(page), 'Platform application orders-app created.');
  const app = deviceCard(page, 'orders-app');
  await app.getByLabel('Device token').fill('phone-<1>');
  await app.getByRole('button', { name: 'Register device' }).click();
  const device = app.getByTestId('device');
  assert.equal(await device.count(), 1);
  assert.match(await device.textContent(), /phone-<1>/);
  assert.match(await device.locator('.url code').textContent(), /^arn:aws:sns:us-east-1:000000000000:endpoint\/GCM\/orders-app\/[0-9a-f-]{36}$/);

  // Straight to the device (Publish with TargetArn).
  await device.getByLabel('Message', { exact: true }).fill('Your order <i>shipped</i>');
  await device.getByRole('button', { name: 'Push to device' }).click();
  assert.equal(await device.getByTestId('device-received').textContent(), 'Received 1');
  assert.match(await device.locator('.inbox').textContent(), /Your order <i>shipped<\/i>/);
  assert.equal(await device.locator('.inbox i').count(), 0, 'the payload is text, not markup');

  // Through the topic: the subscribe form offers the device's ARN for `application`.
  const form = topicCard(page, 'order-events').getByRole('form', { name: 'Subscribe to order-events' });
  await form.getByLabel('Protocol', { exact: true }).selectOption('application');
  assert.match(await form.getByLabel('Endpoint', { exact: true }).inputValue(), /endpoint\/GCM\/orders-app\//);
  await form.getByRole('button', { name: 'Create subscription' }).click();
  await publish(page, 'order-events', 'order 2 paid');
  assert.equal(await device.getByTestId('device-received').textContent(), 'Received 2');
  assert.deepEqual(await counts(page, 'orders'), { available: 2, inFlight: 0, delayed: 0 });

  // A disabled device refuses a direct push with AWS's error.
  await device.getByRole('button', { name: 'Disable' }).click();
  assert.equal(await device.getByTestId('device-status').textContent(), 'Disabled');
  await device.getByRole('button', { name: 'Push to device' }).click();
  assert.match(await flash(page), /EndpointDisabled/);
  assert.equal(await device.getByTestId('device-received').textContent(), 'Received 2');

  await mkdir(OUT, { recursive: true });
  await page.locator('#mobile').screenshot({ path: `${OUT}sns-mobile-push.png` });
  await assertHealthy(page);
});

test('a slow endpoint: an answer in time is delivered late, one after 15 s is retried and arrives twice', async () => {
  const page = await open(ctx);
  await createTopic(page, 'hooks');
  await subscribe(page, 'hooks', { protocol: 'https', endpoint: 'https://example.com/hook' });
  const sub = topicCard(page, 'hooks').getByTestId('subscription');
  await sub.getByRole('button', { name: 'Confirm subscription' }).click();

  await sub.getByLabel('Answers').selectOption({ label: 'after 5 s' });
  await publish(page, 'hooks', 'ping 1');
  assert.match(await sub.getByTestId('awaiting').textContent(), /working on 1 notification: its answer, or SNS's 15 s timeout, in 5s/);
  assert.match(await page.getByTestId('next-deadline').textContent(), /hooks: the answer \(or SNS's 15 s timeout\) from https:\/\/example\.com\/hook/);
  await page.getByRole('button', { name: '⇥ Next deadline' }).click();
  assert.match(await sub.locator('.attempts li').first().textContent(), /\+00:00:05 delivered/);
  assert.equal(await sub.getByTestId('awaiting').count(), 0);

  await sub.getByLabel('Answers').selectOption({ label: 'after 20 s (too late)' });
  await publish(page, 'hooks', 'ping 2');
  await page.getByRole('button', { name: '⇥ Next deadline' }).click();
  const attempts = sub.locator('.attempts li');
  assert.match(await attempts.nth(0).textContent(), /\+00:00:20 failed; retry 1 at \+00:00:40/);
  assert.match(await attempts.nth(1).textContent(), /\+00:00:20 no answer within SNS's 15 s: counted as failed \(the endpoint got it\)/);
  // The retry goes out at +40 s and reaches the endpoint again (at +55 s, when SNS gives up waiting once more).
  await page.getByRole('button', { name: '⇥ Next deadline' }).click();
  await page.getByRole('button', { name: '⇥ Next deadline' }).click();
  const received = sub.locator('.received summary');
  assert.match(await received.textContent(), /received 4 messages/, 'confirmation, ping 1, ping 2 twice');
  await assertHealthy(page);
});
