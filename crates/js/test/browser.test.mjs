// The SDK in a browser: bundles the unmodified @aws-sdk/client-sqs with the
// web build of Decouple (esbuild), serves it on 127.0.0.1 and runs it in
// Debian's Chromium through playwright-core. Proves the handler works in a
// page exactly as in Node.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { mkdir, copyFile, readFile, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join, extname } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { chromium } from "playwright-core";

const here = fileURLToPath(new URL(".", import.meta.url));
const out = join(here, "browser-out");
const CHROMIUM = "/usr/bin/chromium";
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };

let server;
let browser;
let origin;

before(async () => {
  await mkdir(out, { recursive: true });
  await esbuild.build({
    entryPoints: [join(here, "browser/entry.mjs")],
    bundle: true,
    format: "esm",
    platform: "browser",
    outfile: join(out, "bundle.js"),
    logLevel: "error",
  });
  // wasm-bindgen's init() fetches the wasm next to the module that imports it: the bundle.
  await copyFile(join(here, "../pkg-web/decouple_js_bg.wasm"), join(out, "decouple_js_bg.wasm"));
  await writeFile(join(out, "index.html"), '<!doctype html><meta charset="utf-8"><script type="module" src="bundle.js"></script>');
  server = createServer(async (req, res) => {
    const path = join(out, req.url === "/" ? "index.html" : req.url.slice(1));
    try {
      const body = await readFile(path);
      res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  assert.ok(existsSync(CHROMIUM), "Debian chromium is required: scripts/setup.sh installs it");
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

test("the unmodified SDK runs against the engine in a browser page", async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (err) => errors.push(err.message));
  await page.goto(origin);
  await page.waitForFunction(() => typeof window.runScenario === "function");
  const result = await page.evaluate(() => window.runScenario());
  assert.deepEqual(errors, []);
  assert.equal(result.queueUrl, "https://sqs.eu-west-1.amazonaws.com/123456789012/browser-orders");
  assert.equal(result.receivedId, result.sentId);
  assert.equal(result.body, "hello from the browser");
  assert.equal(result.kind, "greeting");
  // MD5 of the body, which the SDK has already checked itself.
  assert.equal(result.md5, createHash("md5").update("hello from the browser").digest("hex"));
  assert.equal(result.remaining, "0");
  assert.equal(result.missing, "QueueDoesNotExist");
  await page.close();
});
