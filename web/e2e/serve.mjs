// A tiny static server for dist/ (the SQS page, with the SNS page in dist/sns/ and the Kinesis page in dist/kinesis/),
// on 127.0.0.1 only. Tests and the benchmark mount a page under a sub-path (as
// a course site would, e.g. /labs/sqs/) to prove the build has no absolute
// asset URLs; `pages` adds extra HTML pages (e.g. an iframe host).
//
//   node serve.mjs [dist-dir] [port] [prefix]   → prints the URL and serves until killed
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export async function serve({ root, port = 0, prefix = '/', pages = {} }) {
  const base = resolve(root);
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      if (pages[path] !== undefined) {
        res.writeHead(200, { 'content-type': TYPES['.html'] });
        return res.end(pages[path]);
      }
      if (!path.startsWith(prefix)) {
        res.writeHead(404).end('not found');
        return;
      }
      let file = normalize(join(base, path.slice(prefix.length)));
      if (!file.startsWith(base)) {
        res.writeHead(403).end();
        return;
      }
      if ((await stat(file).catch(() => null))?.isDirectory()) {
        // A page's relative asset URLs need the trailing slash (…/sns → …/sns/), as any static host does.
        if (!path.endsWith('/')) {
          const query = new URL(req.url, 'http://x').search;
          res.writeHead(301, { location: encodeURI(path) + '/' + query }).end();
          return;
        }
        file = join(file, 'index.html');
      }
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok, fail) => server.once('error', fail).listen(port, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, url: origin + prefix, close: () => new Promise((ok) => server.close(ok)) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [root = 'dist', port = '8080', prefix = '/'] = process.argv.slice(2);
  const { url } = await serve({ root, port: Number(port), prefix });
  // scripts/build-web.sh puts the SNS page in dist/sns/.
  const sns = await stat(join(root, 'sns', 'index.html')).catch(() => null);
  console.log(`Decouple ${sns ? 'SQS playground' : 'playground'}: ${url}  (Ctrl-C to stop)`);
  if (sns) console.log(`Decouple SNS playground (SNS topics, S3 buckets and SQS): ${url}sns/`);
  // …and the Kinesis page in dist/kinesis/.
  const kinesis = await stat(join(root, 'kinesis', 'index.html')).catch(() => null);
  if (kinesis) console.log(`Decouple Kinesis playground (data streams, shards, records): ${url}kinesis/`);
}
