// A tiny static file server for the built site (target/site): correct MIME types for .wasm and modules, the
// page's Content-Security-Policy as a header, loopback only. Used by scripts/serve and the browser tests.
//   node scripts/static-server.mjs [root] [port]     (port 0 picks a free one; the URL is printed)
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.ico': 'image/x-icon', '.csv': 'text/csv', '.txt': 'text/plain',
};
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
  "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors *";

/** `policy` (a CSP, or a page holding one in its meta) with `origin` named beside each 'self'. WebKit (Safari)
 * matches 'self' to nothing in a document whose origin is opaque — a frame sandboxed with allow-scripts only —
 * and would load none of the lab's files there; a policy that names the lab's origin as well holds in every
 * browser. scripts/build --origin does the same for a deployment. */
export const namingOrigin = (policy, origin) => policy.replaceAll("'self'", `'self' ${origin}`);

/** Serves `root` (naming its own origin in the page's policies: see namingOrigin); `options.csp === false` leaves the CSP header out (the tests' host pages, which frame the lab);
 * `options.log`, an array, receives the path of every request (the tests count downloads with it). */
export function startServer(root, port = 0, host = '127.0.0.1', options = {}) {
  const base = resolve(root);
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      options.log?.push(path);
      let file = normalize(join(base, path));
      if (!file.startsWith(base)) { res.writeHead(403).end(); return; }
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      let body = await readFile(file);
      const origin = `http://${req.headers.host}`;
      if (options.csp !== false && extname(file) === '.html') body = namingOrigin(body.toString('utf8'), origin);
      const headers = { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff',
        // Lets the page run in an iframe sandboxed without allow-same-origin (its origin is then opaque).
        'Access-Control-Allow-Origin': '*' };
      if (options.csp !== false) headers['Content-Security-Policy'] = namingOrigin(CSP, origin);
      res.writeHead(200, headers);
      res.end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((ok) => server.listen(port, host, () => ok({ server, url: `http://${host}:${server.address().port}/` })));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [root = 'target/site', port = '8000'] = process.argv.slice(2);
  const { url } = await startServer(root, Number(port));
  console.log(`Last Layer Lab is served at ${url}  (Ctrl-C stops)`);
}
