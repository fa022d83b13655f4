// The page live at every size (BENCHMARKS.md §5), in headless Chromium: for each network on the blobs preset,
// the page's raw training rate (lab.step in one go with refits off: the worker training flat out), then while
// playing with the default refit interval: steps per second (and its share of raw), frames per second, the
// longest main-thread task after the first half second (Long Tasks API), and how far the SVM in metrics()
// lags behind the step, in steps and in seconds of play. Run after scripts/build:
// With --presets A,B the presets themselves instead of the blobs networks (e.g. the convolutional digits).
//   node bench/live.mjs [--scale 1|2] [--seconds 6] [--throttle 4] [--engine main] [--hostile] [--presets A,B] [--site DIR]
import { chromium } from 'playwright-core';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../scripts/static-server.mjs';

const arg = (name, fallback) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : fallback; };
const scale = Number(arg('scale', '1'));
const seconds = Number(arg('seconds', '6'));
const throttle = Number(arg('throttle', '1'));
const engine = arg('engine', 'worker');
// The four networks on the blobs preset; with --hostile, the tests' hostile link instead (5 000 points, a
// 2048-128×5 network, C = 10⁷, a refit every step: its frames and tasks while playing; no raw rate, a step
// takes seconds).
const hostile = process.argv.includes('--hostile');
const presets = arg('presets', '');
const networks = hostile
  ? [{ data: { samples: 5000 }, network: { hidden: [2048, 128, 128, 128, 128, 128] }, svm: { c: 1e7, refit_every: 1 } }]
  : presets
    ? presets.split(',').map((preset) => ({ preset }))
    : [[16, 2], [64, 64, 2], [128, 128, 128, 128, 2], [2000, 2]].map((hidden) => ({ network: { hidden } }));

const site = arg('site', new URL('../target/site/', import.meta.url).pathname);
const { server, url } = await startServer(site);
const hostDir = mkdtempSync(join(tmpdir(), 'lastlayer-live-'));
const host = await startServer(hostDir, 0, '127.0.0.1', { csp: false });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });

async function open({ preset = 'blobs', ...partial }) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, deviceScaleFactor: scale });
  const page = await context.newPage();
  const query = Object.keys(partial).length ? `?preset=${preset}&c=${encodeURIComponent(JSON.stringify(partial))}` : `?preset=${preset}`;
  let target = page;
  if (engine === 'main') {
    writeFileSync(join(hostDir, 'live.html'), `<!doctype html><style>body{margin:0}</style><iframe id="f" sandbox="allow-scripts" src="${url}${query}" width="1366" height="900" style="border:0"></iframe>`);
    await page.goto(`${host.url}live.html`);
    target = await (await page.$('#f')).contentFrame();
    await target.waitForFunction(() => window.lab !== undefined);
  } else {
    await page.goto(`${url}${query}`);
  }
  await target.evaluate(() => window.lab.ready);
  await target.waitForFunction(() => window.lab.presets && window.lab.config().data.set !== undefined);
  // A table the preset needs (the digits) arrives after the first picture: wait for its run.
  await target.waitForFunction(async () => (await window.lab.metrics()).input_width > 0, null, { timeout: 30000 });
  if (throttle > 1) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });
  }
  return { context, page: target };
}

const rows = [];
for (const partial of networks) {
  const name = partial.preset ?? `2-${partial.network.hidden.join('-')}-2`;
  // Raw: the worker training flat out, no scheduled refits.
  let { context, page } = await open(partial);
  const raw = hostile ? NaN : await page.evaluate(async (ms) => {
    await window.lab.setConfig({ svm: { refit_every: 1000000 } });
    let n = 16;
    for (;;) {
      const t0 = performance.now();
      const taken = await window.lab.step(n);
      const s = (performance.now() - t0) / 1000;
      if (s > ms / 1000 || taken < n) return taken / s;
      n *= 2;
    }
  }, 1500);
  await context.close();
  ({ context, page } = await open(partial));
  const live = await page.evaluate((ms) => new Promise((resolve) => {
    const long = [];
    const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) long.push(e.duration); });
    observer.observe({ type: 'longtask' });
    const lags = [];
    let frames = 0;
    let t0;
    let s0;
    window.lab.play().then(async () => {
      await new Promise((r) => setTimeout(r, 500));
      long.length = 0;
      s0 = (await window.lab.metrics()).step;
      t0 = performance.now();
      const poll = setInterval(async () => { const m = await window.lab.metrics(); if (m.svm_fitted_at_step !== null) lags.push(m.step - m.svm_fitted_at_step); }, 100);
      const count = () => { frames++; if (performance.now() - t0 < ms) requestAnimationFrame(count); else finish(poll); };
      requestAnimationFrame(count);
    });
    const finish = async (poll) => {
      clearInterval(poll);
      const m = await window.lab.metrics();
      const s = (performance.now() - t0) / 1000;
      await window.lab.pause();
      observer.disconnect();
      const rate = (m.step - s0) / s;
      lags.sort((a, b) => a - b);
      resolve({ fps: frames / s, steps: rate, longest: Math.max(0, ...long), lag_steps_max: lags[lags.length - 1] ?? null, lag_s_max: lags.length ? lags[lags.length - 1] / rate : null, engine: m.engine });
    };
  }), seconds * 1000);
  await context.close();
  rows.push({ network: name, engine: live.engine, raw_steps_per_s: Math.round(raw), playing_steps_per_s: Math.round(live.steps), share_of_raw: Number((live.steps / raw).toFixed(2)), fps: Number(live.fps.toFixed(1)), longest_task_ms: Math.round(live.longest), svm_lag_max_steps: live.lag_steps_max, svm_lag_max_s: live.lag_s_max === null ? null : Number(live.lag_s_max.toFixed(2)) });
  console.error(JSON.stringify(rows[rows.length - 1]));
}
await browser.close();
server.close();
host.server.close();
console.log(JSON.stringify({ deviceScaleFactor: scale, cpuThrottling: throttle, engine, seconds, rows }, null, 2));
