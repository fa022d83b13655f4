// Shared set-up for the browser tests: serves target/site (and, for embedding tests, a host page from a second
// origin), launches Debian's Chromium through playwright-core (never a downloaded browser), and records console
// errors and any request that leaves the page's origin.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../scripts/static-server.mjs';

export const SHOTS = new URL('./screenshots/', import.meta.url).pathname;
mkdirSync(SHOTS, { recursive: true });

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Serves the built page (`site`: 'site', or 'site-bench' for the build with the test hooks) and starts Chromium. */
export async function launch(site = 'site') {
  const { server, url } = await startServer(new URL(`../../target/${site}`, import.meta.url).pathname);
  const hostDir = mkdtempSync(join(tmpdir(), 'lastlayer-host-'));
  // A second origin (another port) for host pages, so that embedded labs are cross-origin.
  const host = await startServer(hostDir, 0, '127.0.0.1', { csp: false });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ARGS });
  return {
    url,
    hostUrl: host.url,
    browser,
    /** Serves `html` as `name` from the host origin; returns its URL. */
    hostPage(name, html) {
      writeFileSync(join(hostDir, name), html);
      return host.url + name;
    },
    async close() { await browser.close(); server.close(); host.server.close(); },
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
  await page.evaluate(() => window.lab.ready);
  return { page, problems, context };
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
