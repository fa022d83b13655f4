// Shared set-up for the browser tests: serves target/site (and, for embedding tests, a host page from a second
// origin), launches Debian's Chromium through playwright-core (never a downloaded browser), and records console
// errors and any request that leaves the page's origin.
import { chromium } from 'playwright-core';
import * as nodeTest from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../scripts/static-server.mjs';

/** How long one test, or one before/after hook, may take before it fails. */
const TEST_MS = 240000;
const HOOK_MS = 120000;

/** node:test's test and hooks with deadlines of their own, so that a file run alone (`node --test FILE`, without
 * scripts/test's --test-timeout) cannot hang either. Used as `test(name, fn)`, `test.before(fn)` or `before(fn)`. */
export function test(name, ...rest) {
  const fn = rest.pop();
  return nodeTest.test(name, { timeout: TEST_MS, ...(rest[0] ?? {}) }, fn);
}
export const before = (fn) => nodeTest.before(fn, { timeout: HOOK_MS });
export const after = (fn) => nodeTest.after(fn, { timeout: HOOK_MS });
export const describe = nodeTest.describe;
test.before = before;
test.after = after;

export const SHOTS = new URL('./screenshots/', import.meta.url).pathname;
mkdirSync(SHOTS, { recursive: true });

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Starts Chromium as a server process of our own and connects to it, so that if it ever exits while tests still
 * use it, the run says how (exit code, signal) and shows its last lines of output, not only "browser has been
 * closed" in every test after. Returns the browser and the function that closes it. */
async function startChromium(site) {
  const server = await chromium.launchServer({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ARGS });
  const child = server.process();
  const tail = [];
  child.stderr?.on('data', (chunk) => {
    // Chromium's complaints about the missing system bus are noise here.
    tail.push(...String(chunk).split('\n').filter((line) => line.trim() && !line.includes('dbus')));
    tail.splice(0, Math.max(0, tail.length - 40));
  });
  let onPurpose = false;
  child.on('exit', (code, signal) => {
    if (!onPurpose) process.stderr.write(`\nChromium for ${site} (pid ${child.pid}) exited while tests still used it: code ${code}, signal ${signal}. Its last output:\n${tail.join('\n')}\n`);
  });
  const browser = await chromium.connect(server.wsEndpoint());
  // Closing a connected browser only disconnects it: the server process is closed as well.
  return { browser, close: async () => { onPurpose = true; await browser.close(); await server.close(); } };
}

/** Serves the built page (`site`: 'site', or 'site-bench' for the build with the test hooks) and starts Chromium. */
export async function launch(site = 'site') {
  const { server, url } = await startServer(new URL(`../../target/${site}`, import.meta.url).pathname);
  const hostDir = mkdtempSync(join(tmpdir(), 'lastlayer-host-'));
  // A second origin (another port) for host pages, so that embedded labs are cross-origin.
  const host = await startServer(hostDir, 0, '127.0.0.1', { csp: false });
  const { browser, close } = await startChromium(site);
  return {
    url,
    hostUrl: host.url,
    browser,
    /** Serves `html` as `name` from the host origin; returns its URL. */
    hostPage(name, html) {
      writeFileSync(join(hostDir, name), html);
      return host.url + name;
    },
    async close() { await close(); server.close(); host.server.close(); },
  };
}

/** Records console errors, page errors, failed and outside requests of `page` into `problems`. */
export function watch(page, origin, problems) {
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed request: ${r.url()}`));
  page.on('request', (r) => {
    const u = r.url();
    if (origin && !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin) problems.push(`outside request: ${u}`);
  });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
}

/** Opens the page (with an optional query) and waits for `lab.ready`; returns the page and its problem log. */
export async function openLab(env, query = '', viewport = { width: 1280, height: 900 }, scale = 1, extra = {}) {
  const context = await env.browser.newContext({ viewport, deviceScaleFactor: scale, ...extra });
  const page = await context.newPage();
  const problems = [];
  watch(page, new URL(env.url).origin, problems);
  await page.goto(env.url + query);
  await within(60000, page.evaluate(() => window.lab.ready), 'lab.ready');
  return { page, problems, context };
}

/** The bytes of a finished download (read through the connection: the browser runs as a server). */
export async function downloaded(download) {
  const chunks = [];
  for await (const chunk of await download.createReadStream()) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Clicks the SVG button of `figure` and returns the downloaded file's name and text. */
export async function downloadSvg(page, figure) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`button.svg[data-figure="${figure}"]`)]);
  return { name: download.suggestedFilename(), text: (await downloaded(download)).toString('utf8') };
}

/** What an SVG document holds, parsed by the browser: whether it parsed, its size, title and metadata, and its
 * circles grouped by radius, fill and stroke. */
export function parsed(page, text) {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const svg = doc.documentElement;
    const circles = {};
    for (const c of doc.querySelectorAll('circle')) {
      const key = `r${c.getAttribute('r')} fill ${c.getAttribute('fill')} stroke ${c.getAttribute('stroke')}`;
      circles[key] = (circles[key] ?? 0) + 1;
    }
    const strokes = {};
    for (const p of doc.querySelectorAll('polyline, path')) strokes[p.getAttribute('stroke')] = (strokes[p.getAttribute('stroke')] ?? 0) + 1;
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null,
      size: [svg.getAttribute('width'), svg.getAttribute('height')].map(Number),
      title: doc.querySelector('title')?.textContent,
      metadata: JSON.parse(doc.getElementById('lastlayer-config')?.textContent ?? 'null'),
      images: [...doc.querySelectorAll('image')].map((i) => i.getAttribute('href').slice(0, 22)),
      texts: [...doc.querySelectorAll('text')].map((t) => t.textContent.trim()),
      circles,
      strokes,
      dots: [...doc.querySelectorAll('circle')].map((c) => ({
        at: ['cx', 'cy'].map((a) => Number(c.getAttribute(a))), r: Number(c.getAttribute('r')), fill: c.getAttribute('fill'), stroke: c.getAttribute('stroke'),
      })),
      lines: [...doc.querySelectorAll('polyline')].map((l) => ({
        stroke: l.getAttribute('stroke'),
        points: l.getAttribute('points').trim().split(/\s+/).map((xy) => xy.split(',').map(Number)),
      })),
      labels: [...doc.querySelectorAll('text')].map((t) => ({ text: t.textContent.trim(), x: Number(t.getAttribute('x')), y: Number(t.getAttribute('y')) })),
    };
  }, text);
}

/** The least-squares line through (x, y) pairs and its largest residual. */
export function fitLine(xs, ys) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  const slope = xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  const at = (x) => my + slope * (x - mx);
  return { slope, at, worst: Math.max(...xs.map((x, i) => Math.abs(at(x) - ys[i]))) };
}

/** Waits until `holds(metrics)` is true of the page's `lab.metrics()` (polled from here every 50 ms), at most
 * `timeout` ms; returns those metrics. (Playwright's waitForFunction does not await a predicate's promise: an
 * async predicate such as `async () => (await lab.metrics()).step > 100` passes at once, whatever the step.) */
export async function untilMetrics(frame, holds, timeout = 10000) {
  const t0 = Date.now();
  for (;;) {
    const m = await within(timeout, frame.evaluate(() => window.lab.metrics()), 'lab.metrics()');
    if (holds(m)) return m;
    if (Date.now() - t0 > timeout) throw new Error(`the metrics did not come to ${holds} within ${timeout} ms (step ${m.step})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The lab's metrics now (a fresh snapshot from the engine). */
export const metrics = (page) => page.evaluate(() => window.lab.metrics());

/** Waits for two animation frames (a redraw). */
export const frame = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

/** Counts the pixels of a canvas close to each given RGB color (within `tol` per channel), optionally in a
 * box given as fractions [x0, y0, x1, y1] of the canvas. */
export async function colorCounts(page, canvasId, colours, tol = 40, box = [0, 0, 1, 1]) {
  return page.evaluate(({ canvasId, colours, tol, box }) => {
    const c = document.getElementById(canvasId);
    const x0 = Math.floor(box[0] * c.width);
    const y0 = Math.floor(box[1] * c.height);
    const w = Math.max(1, Math.floor((box[2] - box[0]) * c.width));
    const h = Math.max(1, Math.floor((box[3] - box[1]) * c.height));
    const d = c.getContext('2d').getImageData(x0, y0, w, h).data;
    const counts = colours.map(() => 0);
    for (let i = 0; i < d.length; i += 4) {
      colours.forEach((col, k) => {
        if (Math.abs(d[i] - col[0]) <= tol && Math.abs(d[i + 1] - col[1]) <= tol && Math.abs(d[i + 2] - col[2]) <= tol) counts[k]++;
      });
    }
    return counts;
  }, { canvasId, colours, tol, box });
}

/** A cheap fingerprint of a canvas's pixels (to see whether a picture changed). */
export async function canvasHash(page, canvasId) {
  return page.evaluate((id) => {
    const c = document.getElementById(id);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let h = 2166136261;
    for (let i = 0; i < d.length; i += 7) { h ^= d[i]; h = Math.imul(h, 16777619); }
    return `${c.width}x${c.height}:${h >>> 0}`;
  }, canvasId);
}

/** Waits until a canvas has been drawn at its final size (its hash stops changing across frames); fails if it
 * keeps changing for 60 frames (a page that never settles is a bug, not a picture). */
export async function settledHash(page, canvasId) {
  let last = await canvasHash(page, canvasId);
  for (let i = 0; i < 60; i++) {
    await frame(page);
    const now = await canvasHash(page, canvasId);
    if (now === last) return now;
    last = now;
  }
  throw new Error(`${canvasId} never settled: it changed in each of 60 frames`);
}

const ROOT = new URL('../../', import.meta.url).pathname;

/** The command line's run.json for a preset after `steps` steps (`extra`: more arguments, such as --data). */
export function cliRun(preset, steps, extra = []) {
  const bin = ['target/debug/lastlayer', 'target/release/lastlayer'].map((b) => ROOT + b).find(existsSync);
  assert.ok(bin, 'the lastlayer binary is built (scripts/test builds it)');
  const out = mkdtempSync(join(tmpdir(), 'lastlayer-cli-'));
  execFileSync(bin, ['reproduce', '--preset', preset, '--steps', String(steps), '--out', out, ...extra], { stdio: 'ignore' });
  return JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
}

/** The numbers of a run that must agree between the page's modes and the command line: the steps, config,
 * final metrics (but the fits' wall time), every weight and the history. */
export function essence(run) {
  const { svm_fit_ms: _, ...final } = run.final ?? {};
  return { steps: run.steps, config: run.config, final, layers: run.network.layers, history: run.metrics.map(({ svm_fit_ms: __, ...m }) => m) };
}

/** `essence` of the run in a page or frame now. */
export async function pageEssence(frame) {
  return essence(JSON.parse(await frame.evaluate(() => window.lab.exportRun())));
}

/** Waits (at most `timeout` ms) for the message box to match `pattern`. */
export function waitMessage(frame, pattern, timeout = 20000) {
  return frame.waitForFunction((p) => new RegExp(p).test(document.getElementById('message').textContent), pattern.source, { timeout });
}

/** The run's network and SVM by hand, from run.json (tanh or relu): `network(x)` is the score difference of
 * the last two outputs' classes 1 and 0, `svm(x)` the SVM's score on the network's features, for raw inputs. */
export function modelsOf(run) {
  const layers = run.network.layers;
  const act = run.network.activation === 'relu' ? (v) => Math.max(0, v) : Math.tanh;
  const { mean, scale } = run.data;
  const features = (x) => {
    let a = x.map((v, j) => (v - mean[j]) / scale[j]);
    for (const layer of layers.slice(0, -1)) {
      a = layer.biases.map((b, j) => act(b + a.reduce((s, v, i) => s + v * layer.weights[i][j], 0)));
    }
    return a;
  };
  const last = layers[layers.length - 1];
  const svm = run.svm.regularized_bias;
  return {
    network: (x) => {
      const h = features(x);
      const o = last.biases.map((b, j) => b + h.reduce((s, v, i) => s + v * last.weights[i][j], 0));
      return o[1] - o[0];
    },
    svm: (x) => {
      const h = features(x);
      return svm.b + h.reduce((s, v, i) => s + v * svm.w[i], 0);
    },
  };
}

/** Checks that a line of colour `rgb` is drawn on the input view where `f` (a function of raw 2-D inputs,
 * from `modelsOf`) changes sign: along every third pixel column of the plot's interior, finds the rows where f
 * crosses zero and looks for the colour within ±3 pixels. Returns {columns, crossings, hits}. */
export async function lineAlongZero(page, f, rgb, tol = 45) {
  const plot = await page.evaluate(() => window.lab.inputPlot());
  assert.ok(plot, 'the input view was drawn');
  const { w, h, data } = await page.evaluate(() => {
    const c = document.getElementById('input-view');
    return { w: c.width, h: c.height, data: Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data) };
  });
  const [px0, px1] = plot.px;
  const [py0, py1] = plot.py;
  const toData = (px, py) => [
    plot.x[0] + ((px - px0) / (px1 - px0)) * (plot.x[1] - plot.x[0]),
    plot.y[0] + ((py1 - py) / (py1 - py0)) * (plot.y[1] - plot.y[0]),
  ];
  const near = (x, y) => {
    for (let dy = -3; dy <= 3; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        const yy = y + dy;
        if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
        const k = 4 * (yy * w + xx);
        if (Math.abs(data[k] - rgb[0]) <= tol && Math.abs(data[k + 1] - rgb[1]) <= tol && Math.abs(data[k + 2] - rgb[2]) <= tol) return true;
      }
    }
    return false;
  };
  let columns = 0;
  let crossings = 0;
  let hits = 0;
  for (let px = px0 + 6; px < px1 - 6; px += 3) {
    columns++;
    let prev = f(toData(px + 0.5, py0 + 6.5));
    for (let py = py0 + 7; py < py1 - 6; py++) {
      const now = f(toData(px + 0.5, py + 0.5));
      if (Math.sign(now) !== Math.sign(prev)) {
        crossings++;
        if (near(px, py)) hits++;
      }
      prev = now;
    }
  }
  return { columns, crossings, hits };
}

/** `promise`, or a failure naming `what` if it has not settled within `ms` (no test waits without bound). */
export function within(ms, promise, what) {
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Opens the lab in a cross-origin iframe sandboxed with allow-scripts only (no worker can start there: the
 * engine runs on the page's main thread), on a host page `name`; waits for `lab.ready`. */
export async function openSandboxed(env, name, query, frame = { width: 1000, height: 900 }, viewport = { width: 1100, height: 950 }) {
  const context = await env.browser.newContext({ viewport });
  const page = await context.newPage();
  const problems = [];
  watch(page, null, problems);
  await page.goto(env.hostPage(name, `<!doctype html><title>host</title><link rel="icon" href="data:,"><iframe id="f" sandbox="allow-scripts" src="${env.url}${query}" width="${frame.width}" height="${frame.height}" style="border:0"></iframe>`));
  const lab = await (await page.$('#f')).contentFrame();
  await lab.waitForFunction(() => window.lab !== undefined);
  await within(60000, lab.evaluate(() => window.lab.ready), 'lab.ready in the sandboxed frame');
  return { frame: lab, page, problems, context };
}

/** A host page's script for the embed's message protocol (served as a file: the lab's server forbids inline
 * scripts): records every message from the frame #f and offers send(call, args) → Promise of the reply, which
 * fails after 30 s without one, and raw(message). */
export const HOST_JS = `
window.events = [];
window.replies = new Map();
let next = 1;
window.addEventListener('message', (e) => {
  const m = e.data;
  if (!m || m.lastlayer !== 1) return;
  if (m.event) window.events.push(m);
  else window.replies.set(m.id, m);
});
window.send = (call, args) => new Promise((resolve, reject) => {
  const id = next++;
  document.getElementById('f').contentWindow.postMessage({ lastlayer: 1, id, call, args }, '*');
  const t0 = Date.now();
  const poll = () => {
    if (window.replies.has(id)) resolve(window.replies.get(id));
    else if (Date.now() - t0 > 30000) reject(new Error('no reply to ' + call + ' within 30 s'));
    else setTimeout(poll, 20);
  };
  poll();
});
window.raw = (message) => document.getElementById('f').contentWindow.postMessage(message, '*');
`;
