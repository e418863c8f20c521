// SNS and S3 as a learner meets them, in the SNS page (dist/sns/, served on
// its own): a topic fanning out to a queue, a filter policy keeping a message
// away, AWS's validation message while a policy is typed, and an upload's
// event arriving in a queue. Then the two pages together, as a course site
// serves dist/: they link to each other, and the SQS page refuses an SNS
// share link with a message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DIST, setup, open, assertHealthy, createQueue, card, counts, lastSummary, topicCard, bucketCard, createTopic, subscribe,
  publish,
} from './helpers.mjs';
import { serve } from './serve.mjs';

const ctx = setup('sns');

test('the SNS page is its own page, titled for SNS', async () => {
  const page = await open(ctx);
  assert.equal(await page.title(), 'Decouple · Amazon SNS playground');
  assert.equal(await page.locator('h1 .sub').textContent(), '· Amazon SQS, SNS and S3 playground');
  assert.equal(await page.locator('nav.pages a[aria-current="page"]').textContent(), 'SNS');
  await page.locator('#topic-name').waitFor();
  await page.locator('#bucket-name').waitFor();
  await assertHealthy(page);
});

test('a topic fans out to a subscribed queue; the envelope is in the message', async () => {
  const page = await open(ctx);
  await createQueue(page, 'orders');
  await createTopic(page, 'order-events');
  await subscribe(page, 'order-events', { queue: 'orders' });
  await page.getByText('Subscribed arn:aws:sqs:us-east-1:000000000000:orders to order-events.').waitFor();
  const sub = topicCard(page, 'order-events').getByTestId('subscription');
  assert.equal(await sub.count(), 1);
  assert.equal(await sub.getByTestId('sub-status').textContent(), 'Confirmed');

  await publish(page, 'order-events', 'order 1001 paid <b>!</b>', [['store', 'String', 'north']]);
  assert.match(await lastSummary(page), /Publish → MessageId [0-9a-f-]{36}/);
  assert.deepEqual(await counts(page, 'orders'), { available: 1, inFlight: 0, delayed: 0 });
  assert.match(await topicCard(page, 'order-events').getByTestId('topic-stats').textContent(), /Published 1 · delivered 1/);
  assert.match(await sub.locator('.attempts').textContent(), /delivered/);

  // SNS's CloudWatch metrics, sampled every 10 virtual seconds.
  for (let i = 0; i < 10; i++) await page.keyboard.press('s');
  await topicCard(page, 'order-events').getByRole('button', { name: 'Show monitoring' }).click();
  const legend = await topicCard(page, 'order-events').locator('.legend').textContent();
  assert.match(legend, /NumberOfMessagesPublished 1.*NumberOfNotificationsDelivered 1.*NumberOfNotificationsFailed 0/);

  // The SNS envelope, as text (the body's markup is not rendered).
  await card(page, 'orders').locator('.lane.visible .chip').first().click();
  const body = await card(page, 'orders').getByTestId('detail-body').textContent();
  const envelope = JSON.parse(body);
  assert.equal(envelope.Type, 'Notification');
  assert.equal(envelope.Message, 'order 1001 paid <b>!</b>');
  assert.equal(envelope.TopicArn, 'arn:aws:sns:us-east-1:000000000000:order-events');
  assert.deepEqual(envelope.MessageAttributes.store, { Type: 'String', Value: 'north' });
  assert.equal(await page.locator('.detail b').count(), 0);

  // Every call is in the log with its CLI line and the raw query-protocol request.
  const log = page.getByTestId('log');
  assert.match(await log.textContent(), /aws sns create-topic --name order-events/);
  assert.match(await log.textContent(), /aws sns subscribe --endpoint arn:aws:sqs:us-east-1:000000000000:orders --protocol sqs --topic-arn/);
  const entry = log.locator('.entry', { hasText: 'Publish →' });
  await entry.locator('summary').click();
  assert.match(await entry.locator('pre').first().textContent(), /Action=Publish&Version=2010-03-31.*MessageAttributes\.entry\.1\.Name=store/);
  assert.match(await entry.locator('pre').nth(1).textContent(), /<PublishResponse xmlns="http:\/\/sns\.amazonaws\.com\/doc\/2010-03-31\/">/);
  await assertHealthy(page);
});

test('a filter policy keeps a message away from a subscription', async () => {
  const page = await open(ctx);
  await createQueue(page, 'red-orders');
  await createQueue(page, 'all-orders');
  await createTopic(page, 'orders');
  await subscribe(page, 'orders', { queue: 'red-orders', policy: '{"color": ["red"]}' });
  await subscribe(page, 'orders', { queue: 'all-orders' });
  const subs = topicCard(page, 'orders').getByTestId('subscription');
  assert.equal(await subs.count(), 2);
  const red = subs.filter({ hasText: 'red-orders' });
  assert.equal(await red.getByTestId('sub-filter').textContent(), '{"color": ["red"]}');

  await publish(page, 'orders', 'a blue one', [['color', 'String', 'blue']]);
  assert.equal((await counts(page, 'red-orders')).available, 0);
  assert.equal((await counts(page, 'all-orders')).available, 1);
  assert.match(await topicCard(page, 'orders').getByTestId('topic-stats').textContent(), /delivered 1 · failed 0 · filtered out 1/);
  assert.match(await red.locator('.attempts').textContent(), /filtered out by the filter policy/);

  // The tester agrees before anything is published.
  const tester = topicCard(page, 'orders').locator('details.tester');
  await tester.locator('summary').click();
  await tester.getByRole('button', { name: '+ Add attribute' }).click();
  await tester.getByLabel('Attribute 1 name').fill('color');
  await tester.getByLabel('Attribute 1 value').fill('red');
  const verdicts = tester.getByTestId('verdicts').locator('li');
  assert.deepEqual((await verdicts.allTextContents()).map((v) => v.startsWith('✓')), [true, true]);
  await tester.getByLabel('Attribute 1 value').fill('green');
  assert.match(await verdicts.filter({ hasText: 'red-orders' }).textContent(), /✗ does not receive/);
  assert.match(await verdicts.filter({ hasText: 'all-orders' }).textContent(), /✓ receives/);
  await assertHealthy(page);
});

test('an invalid filter policy shows AWS\'s validation message while typing', async () => {
  const page = await open(ctx);
  await createQueue(page, 'q');
  await createTopic(page, 't');
  const form = topicCard(page, 't').getByRole('form', { name: 'Subscribe to t' });
  const check = form.getByTestId('policy-check');
  await form.getByLabel('Filter policy (JSON)').fill('{"color": "red"}');
  assert.match(await check.textContent(), /^InvalidParameter: Invalid parameter: Attributes Reason: FilterPolicy: /);
  assert.match(await check.getAttribute('class'), /error/);
  await form.getByLabel('Filter policy (JSON)').fill('{"a": {"b": ["c"]}}');
  assert.match(await check.textContent(), /Filter policy scope MessageAttributes does not support nested filter policy/);
  await form.getByLabel('Filter policy scope').selectOption('MessageBody');
  assert.equal(await check.textContent(), '✓ Valid filter policy');
  await form.getByLabel('Filter policy scope').selectOption('MessageAttributes');
  // Subscribing anyway gets the same words from the API.
  await form.getByRole('button', { name: 'Create subscription' }).click();
  assert.match(await page.getByTestId('flash').textContent(), /InvalidParameter: Invalid parameter: Attributes Reason: Filter policy scope MessageAttributes/);
  assert.equal(await topicCard(page, 't').getByTestId('subscription').count(), 0);
  await assertHealthy(page);
});

test('an http endpoint that fails is retried on the virtual clock', async () => {
  const page = await open(ctx);
  await createTopic(page, 'hooks');
  await subscribe(page, 'hooks', { protocol: 'https', endpoint: 'https://example.com/hook' });
  const sub = topicCard(page, 'hooks').getByTestId('subscription');
  assert.equal(await sub.getByTestId('sub-status').textContent(), 'PendingConfirmation');
  assert.match(await sub.locator('.received').textContent(), /received 1 message/);
  await sub.getByRole('button', { name: 'Confirm subscription' }).click();
  assert.equal(await sub.getByTestId('sub-status').textContent(), 'Confirmed');
  await sub.getByRole('button', { name: 'Make endpoint fail' }).click();
  await publish(page, 'hooks', 'ping');
  assert.match(await sub.locator('.attempts').textContent(), /failed; retry 1 at \+00:00:20 \(in 20s\)/);
  assert.match(await page.getByTestId('next-deadline').textContent(), /hooks: retry the notification to https:\/\/example\.com\/hook/);
  await sub.getByRole('button', { name: 'Endpoint failing — make healthy' }).click();
  await page.getByRole('button', { name: '⇥ Next deadline' }).click();
  assert.match(await sub.locator('.attempts li').first().textContent(), /\+00:00:20 delivered/);
  await assertHealthy(page);
});

test('a Lambda function that fails is retried by the policy for AWS-managed endpoints', async () => {
  const page = await open(ctx);
  await createTopic(page, 'jobs');
  await subscribe(page, 'jobs', { protocol: 'lambda', endpoint: 'arn:aws:lambda:us-east-1:000000000000:function:worker' });
  const sub = topicCard(page, 'jobs').getByTestId('subscription');
  assert.equal(await sub.getByTestId('sub-status').textContent(), 'Confirmed');
  await sub.getByRole('button', { name: 'Make endpoint fail' }).click();
  await publish(page, 'jobs', 'job 1');
  // AWS-managed endpoints get three immediate retries first.
  assert.match(await sub.locator('.attempts').textContent(), /failed; retry 1 at \+00:00:00/);
  await sub.getByRole('button', { name: 'Endpoint failing — make healthy' }).click();
  await page.getByRole('button', { name: '⇥ Next deadline' }).click();
  assert.match(await sub.locator('.attempts li').first().textContent(), /delivered/);
  await assertHealthy(page);
});

test('an S3 upload fans out to a queue through a bucket notification', async () => {
  const page = await open(ctx);
  await createQueue(page, 'uploads-queue');
  await page.fill('#bucket-name', 'photos');
  await page.getByRole('button', { name: 'Create bucket' }).click();
  const bucket = bucketCard(page, 'photos');
  await bucket.waitFor();
  const notify = bucket.getByRole('form', { name: 'Add an event notification to photos' });
  await notify.getByLabel('Prefix').fill('uploads/');
  await notify.getByLabel('Destination').selectOption({ label: 'queue uploads-queue' });
  await notify.getByRole('button', { name: 'Save notification' }).click();
  await page.getByText('Event notification added to photos.').waitFor();
  assert.match(await bucket.getByTestId('notification').textContent(), /queue uploads-queue.*s3:ObjectCreated:\*.*keys starting "uploads\/"/);
  // S3 checks the destination with a test event.
  assert.equal((await counts(page, 'uploads-queue')).available, 1);

  const upload = bucket.getByRole('form', { name: 'Upload an object to photos' });
  await upload.getByLabel('Key').fill('uploads/cat 1.txt');
  await upload.getByLabel('Content (text)').fill('meow');
  await upload.getByRole('button', { name: 'Upload object' }).click();
  await upload.getByLabel('Key').fill('elsewhere.txt');
  await upload.getByRole('button', { name: 'Upload object' }).click();
  assert.deepEqual(await bucket.getByTestId('objects').locator('code').allTextContents(), ['elsewhere.txt', 'uploads/cat 1.txt']);
  assert.equal((await counts(page, 'uploads-queue')).available, 2, 'only the upload under uploads/ notified');

  await card(page, 'uploads-queue').locator('.lane.visible .chip').nth(1).click();
  const event = JSON.parse(await card(page, 'uploads-queue').getByTestId('detail-body').textContent());
  assert.equal(event.Records[0].eventName, 'ObjectCreated:Put');
  assert.equal(event.Records[0].s3.object.key, 'uploads/cat+1.txt');

  const log = page.getByTestId('log');
  assert.match(await log.textContent(), /aws s3api put-bucket-notification-configuration --bucket photos --notification-configuration/);
  assert.match(await log.textContent(), /printf '%s' meow > body\.txt && aws s3api put-object --body body\.txt --bucket photos --key 'uploads\/cat 1\.txt'/);
  await bucket.getByRole('button', { name: 'Delete bucket' }).click();
  assert.match(await page.getByTestId('flash').textContent(), /BucketNotEmpty: The bucket you tried to delete is not empty/);
  await assertHealthy(page);
});

test('at 360 px wide the SNS page does not overflow sideways', async () => {
  const page = await open(ctx, { viewport: { width: 360, height: 740 } });
  await createQueue(page, 'narrow');
  await createTopic(page, 'a-rather-long-topic-name-for-a-phone');
  await subscribe(page, 'a-rather-long-topic-name-for-a-phone', { queue: 'narrow' });
  await page.fill('#bucket-name', 'narrow-bucket');
  await page.getByRole('button', { name: 'Create bucket' }).click();
  await bucketCard(page, 'narrow-bucket').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the viewport`);
  await assertHealthy(page);
});

test('the two pages link to each other; the SQS page refuses an SNS share link and starts fresh', async () => {
  // dist/ as a course site serves it: the SQS page at /course/, the SNS page at /course/sns/.
  const site = await serve({ root: DIST, prefix: '/course/' });
  try {
    const sqs = await open({ browser: ctx.browser, server: site });
    assert.equal(await sqs.title(), 'Decouple · Amazon SQS playground');
    assert.equal(await sqs.locator('h1 .sub').textContent(), '· Amazon SQS playground');
    assert.equal(await sqs.locator('#topic-name').count(), 0, 'no SNS views on the SQS page');
    assert.equal(await sqs.locator('#bucket-name').count(), 0, 'no S3 views on the SQS page');
    await sqs.getByRole('navigation', { name: 'Playgrounds' }).getByRole('link', { name: 'SNS' }).click();
    await sqs.waitForURL(`${site.origin}/course/sns/`);
    await sqs.waitForSelector('html[data-ready]');
    assert.equal(await sqs.title(), 'Decouple · Amazon SNS playground');
    await sqs.getByRole('button', { name: '‖ Pause' }).click();

    // A setup with a queue and a topic, shared from the SNS page …
    await createQueue(sqs, 'inbox');
    await createTopic(sqs, 'news');
    await sqs.getByRole('button', { name: 'Copy share link' }).click();
    const link = await sqs.getByTestId('share-link').inputValue();
    assert.ok(link.startsWith(`${site.origin}/course/sns/#setup=`), link);
    await sqs.getByRole('navigation', { name: 'Playgrounds' }).getByRole('link', { name: 'SQS' }).click();
    await sqs.waitForURL(`${site.origin}/course/`);
    await sqs.waitForSelector('html[data-ready]');

    // … opened in the SQS page: a clear message, a fresh start, no panic.
    await sqs.goto('about:blank');
    await sqs.goto(link.replace('/course/sns/', '/course/'));
    await sqs.waitForSelector('html[data-ready]');
    assert.equal(
      await sqs.getByTestId('flash').locator('span').textContent(),
      'This share link could not be restored because it uses SNS (CreateTopic), which this SQS playground ' +
        'does not include: open it in the SNS playground. Starting fresh.',
    );
    assert.equal(await card(sqs, 'inbox').count(), 0);
    await sqs.locator('.empty', { hasText: 'No queues yet.' }).waitFor();
    await assertHealthy(sqs);
  } finally {
    await site.close();
  }
});
