// Benchmark of the built playground (not a timed test: it reports numbers).
//   1. transfer size of each page (wasm + JS + CSS, gzip -9): the SQS page
//      (dist/)  target ≤ 300 KB; the SNS (dist/sns/) and Kinesis (dist/kinesis/) pages reported
//   2. navigation → first interactive render, headless Chromium  target ≤ 300 ms
//      (each page)
//   3. 10,000 messages in a queue at 60× on the SQS page: per-frame update +
//      render p95  target ≤ 8 ms
// Usage (after `scripts/build-web.sh`): node web/e2e/bench.mjs
// BENCH_DIST=<dir> measures another build laid out the same way (its sns/ if it has one).
import { readdir, readFile, stat } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';
import { DIST as BUILT, PREFIX, launchOptions, createQueue, send, receive } from './helpers.mjs';

const DIST = process.env.BENCH_DIST ?? BUILT;

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

// 1. Size, per page.
async function size(dir) {
  let raw = 0;
  let gz = 0;
  const rows = [];
  for (const f of (await readdir(dir)).sort()) {
    if (!/\.(wasm|js|css)$/.test(f)) continue;
    const bytes = await readFile(join(dir, f));
    const z = gzipSync(bytes, { level: 9 }).length;
    raw += bytes.length;
    gz += z;
    rows.push(`  ${f.padEnd(40)} ${kb(bytes.length).padStart(10)} raw ${kb(z).padStart(10)} gzip -9`);
  }
  return { raw, gz, rows };
}
const snsDist = join(DIST, 'sns');
const hasSns = await stat(join(snsDist, 'index.html')).then(() => true, () => false);
const sqsSize = await size(DIST);
console.log('Transfer size, SQS page (dist/)');
console.log(sqsSize.rows.join('\n'));
console.log(`  total ${kb(sqsSize.raw)} raw, ${kb(sqsSize.gz)} gzip -9 (target ≤ 300 KB)`);
if (hasSns) {
  const snsSize = await size(snsDist);
  console.log('Transfer size, SNS page (dist/sns/: SNS, S3 and SQS)');
  console.log(snsSize.rows.join('\n'));
  console.log(`  total ${kb(snsSize.raw)} raw, ${kb(snsSize.gz)} gzip -9`);
}
const kinesisDist = join(DIST, 'kinesis');
const hasKinesis = await stat(join(kinesisDist, 'index.html')).then(() => true, () => false);
if (hasKinesis) {
  const kinesisSize = await size(kinesisDist);
  console.log('Transfer size, Kinesis page (dist/kinesis/: Kinesis Data Streams)');
  console.log(kinesisSize.rows.join('\n'));
  console.log(`  total ${kb(kinesisSize.raw)} raw, ${kb(kinesisSize.gz)} gzip -9`);
}

/** Navigation → first interactive render (the app's `decouple-ready` mark), over 7 cold loads. */
async function firstRender(browser, url, label) {
  const ready = [];
  for (let i = 0; i < 7; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector('html[data-ready]');
    ready.push(await page.evaluate(() => performance.getEntriesByName('decouple-ready')[0].startTime));
    await context.close();
  }
  console.log(`${label}: navigation → first interactive render: median ${pct(ready, 50).toFixed(0)} ms, ` +
    `max ${Math.max(...ready).toFixed(0)} ms over ${ready.length} cold loads (target ≤ 300 ms)`);
}

const server = await serve({ root: DIST, prefix: PREFIX });
const browser = await chromium.launch(launchOptions);
try {
  // 2. First render, each page (the SNS page in dist/sns/, as a course site serves it).
  await firstRender(browser, server.url, 'SQS page');
  if (hasSns) await firstRender(browser, `${server.url}sns/`, 'SNS page');
  if (hasKinesis) await firstRender(browser, `${server.url}kinesis/`, 'Kinesis page');

  // 3. Frames with 10,000 messages at 60×, on the SQS page.
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(server.url);
  await page.waitForSelector('html[data-ready]');
  await page.getByRole('button', { name: '‖ Pause' }).click();
  await createQueue(page, 'load', { visibility: 20 });
  let t = Date.now();
  await send(page, 'load', 'load', { count: 10000 });
  const sendMs = Date.now() - t;
  await send(page, 'load', 'delayed', { count: 200, delay: 30 });
  for (let i = 0; i < 20; i++) await receive(page, 'load', { max: 10, visibility: 5 + i });
  const counters = await page.locator('article[data-queue="load"] dl.counters').innerText();
  await page.keyboard.press('3'); // 60×
  await page.evaluate(() => (window.__decoupleFrameTimes = []));
  await page.getByRole('button', { name: '▶ Play' }).click();
  await page.waitForTimeout(5000);
  await page.getByRole('button', { name: '‖ Pause' }).click();
  const clock = await page.getByTestId('clock-rel').textContent();
  const frames = await page.evaluate(() => window.__decoupleFrameTimes);
  const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);
  console.log(`10,000 messages (sent in ${sendMs} ms through 1,000 SendMessageBatch calls): ${counters.replace(/\n/g, ' ')}`);
  console.log(`Per-frame update + render at 60× over ${frames.length} frames: ` +
    `p50 ${pct(frames, 50).toFixed(2)} ms, p95 ${pct(frames, 95).toFixed(2)} ms, max ${Math.max(...frames).toFixed(2)} ms ` +
    `(target p95 ≤ 8 ms); ${domNodes} DOM elements on the page; virtual clock at ${clock}`);
} finally {
  await browser.close();
  await server.close();
}
