// Shared set-up for the browser tests: serves target/site, launches Debian's Chromium through playwright-core
// (never a downloaded browser), and records console errors and any request that leaves the page's origin.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { startServer } from '../../scripts/static-server.mjs';

export const SHOTS = new URL('./screenshots/', import.meta.url).pathname;
mkdirSync(SHOTS, { recursive: true });

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launch() {
  const { server, url } = await startServer(new URL('../../target/site', import.meta.url).pathname);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ARGS });
  return {
    url,
    browser,
    async close() { await browser.close(); server.close(); },
  };
}

/** Opens the page (with an optional query) and waits for `lab.ready`; returns the page and its problem log. */
export async function openLab(env, query = '', viewport = { width: 1280, height: 900 }, scale = 1) {
  const context = await env.browser.newContext({ viewport, deviceScaleFactor: scale });
  const page = await context.newPage();
  const problems = [];
  const origin = new URL(env.url).origin;
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed request: ${r.url()}`));
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin) problems.push(`outside request: ${u}`);
  });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  await page.goto(env.url + query);
  await page.evaluate(() => window.lab.ready);
  return { page, problems, context };
}

/** Counts the pixels of a canvas close to each given RGB colour (within `tol` per channel). */
export async function colourCounts(page, canvasId, colours, tol = 40) {
  return page.evaluate(({ canvasId, colours, tol }) => {
    const c = document.getElementById(canvasId);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const counts = colours.map(() => 0);
    for (let i = 0; i < d.length; i += 4) {
      colours.forEach((col, k) => {
        if (Math.abs(d[i] - col[0]) <= tol && Math.abs(d[i + 1] - col[1]) <= tol && Math.abs(d[i + 2] - col[2]) <= tol) counts[k]++;
      });
    }
    return counts;
  }, { canvasId, colours, tol });
}

/** A cheap fingerprint of a canvas's pixels (to see whether a picture changed). */
export async function canvasHash(page, canvasId) {
  return page.evaluate((id) => {
    const c = document.getElementById(id);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let h = 2166136261;
    for (let i = 0; i < d.length; i += 7) { h ^= d[i]; h = Math.imul(h, 16777619); }
    return h >>> 0;
  }, canvasId);
}
