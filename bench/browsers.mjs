// Speed in every browser, BENCHMARKS.md §9: Chromium (playwright-core), Firefox ESR and WebKitGTK (Safari's
// engine; WebDriver, tests/cross/webdriver.mjs) in one run, rounds interleaved browser by browser, medians:
//   - the page: steps per second of `lab.step(n)` per preset (the worker trains; n grows until a call takes
//     ROUND_MS, so the measurement after each call is amortised), frames per second while playing, and the
//     milliseconds of one redraw (all views, and the fast redraw of played frames);
//   - the engine alone on the page's main thread (the build with the benchmarks' exports): BenchTrainer's
//     steps per second for bench/train.mjs's configurations (and the blobs preset's network), the SVM's warm
//     refit (BenchRefit, ms), and the training matmul kernel's GFLOP/s (benchMatmul) — the minimal kernels that
//     tell the engine's speed from ours.
//   scripts/build --bench && cargo build && node bench/browsers.mjs        (ROUNDS=3 ROUND_MS=700 BROWSERS=…)
import { chromium } from 'playwright-core';
import { startServer } from '../scripts/static-server.mjs';
import { launch } from '../tests/cross/webdriver.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const ROUND_MS = Number(process.env.ROUND_MS ?? 700);
const BROWSERS = (process.env.BROWSERS ?? 'chromium,firefox,webkit').split(',');
const PRESETS = ['blobs', 'three_blobs', 'paper', 'digits'];
const KERNELS = [
  { name: 'small', hidden: '[8, 8, 2]', act: 'relu', batch: 10 },
  { name: 'mid', hidden: '[32, 32, 2]', act: 'tanh', batch: 500 },
  { name: 'paper', hidden: '[2000, 2]', act: 'relu', batch: 500 },
  { name: 'blobs-net', hidden: '[16, 2]', act: 'tanh', batch: 500 },
];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Chromium as the browser suite starts it, with the same `run(fn, ...args)` as the WebDriver sessions. */
async function chromiumSession() {
  const { server, url } = await startServer(new URL('../target/site-bench', import.meta.url).pathname);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  return {
    name: 'chromium',
    version: browser.version(),
    run: (fn, ...args) => page.evaluate(`(${fn})(...${JSON.stringify(args)})`),
    open: async (query) => { await page.goto(url + query); await page.evaluate(() => window.lab.ready); },
    close: async () => { await browser.close(); server.close(); },
  };
}

/** Steps per second of lab.step(n) on `preset`, n grown until one call takes `ms`. */
async function stepRate(preset, ms) {
  await window.lab.loadPreset(preset);
  await window.lab.step(3);
  let n = 5;
  for (;;) {
    const t0 = performance.now();
    await window.lab.step(n);
    const dt = performance.now() - t0;
    if (dt >= ms) return (n * 1000) / dt;
    n = Math.ceil(n * Math.min(20, (1.3 * ms) / Math.max(dt, 1)));
  }
}

/** Frames per second while `preset` plays, over `ms`. */
async function playFps(preset, ms) {
  await window.lab.loadPreset(preset);
  await window.lab.play();
  await new Promise((r) => setTimeout(r, 300));
  let frames = 0;
  const t0 = performance.now();
  await new Promise((done) => {
    const count = () => { frames++; if (performance.now() - t0 < ms) requestAnimationFrame(count); else done(); };
    requestAnimationFrame(count);
  });
  const fps = (frames * 1000) / (performance.now() - t0);
  await window.lab.pause();
  return fps;
}

/** Milliseconds of one redraw of every view (`lab.redraw()`, as when paused) and of the fast redraw played
 * frames use (`lab.redraw(true)`), on `preset` at step 200: medians of 7. */
async function redrawMs(preset) {
  await window.lab.loadPreset(preset);
  await window.lab.step(200);
  const median = (f) => {
    const times = [];
    for (let i = 0; i < 7; i++) { const t0 = performance.now(); f(); times.push(performance.now() - t0); }
    return times.sort((a, b) => a - b)[3];
  };
  window.lab.redraw(false);
  return { full: median(() => window.lab.redraw(false)), fast: median(() => window.lab.redraw(true)) };
}

/** The engine alone on this thread: BenchTrainer steps/s per configuration, and the matmul kernel's GFLOP/s. */
async function kernels(configs, ms) {
  const m = await import('./pkg/lastlayer.js');
  await m.default({ module_or_path: './pkg/lastlayer_bg.wasm' });
  const out = {};
  for (const c of configs) {
    const t = new m.BenchTrainer(c.hidden, c.act, c.batch, 0.1);
    t.run(3);
    let n = 5;
    for (;;) {
      const t0 = performance.now();
      t.run(n);
      const dt = performance.now() - t0;
      if (dt >= ms) { out[c.name] = (n * 1000) / dt; break; }
      n = Math.ceil(n * Math.min(20, (1.3 * ms) / Math.max(dt, 1)));
    }
    t.free();
  }
  // The SVM's refit as the lab's schedule runs it (the default run trained 300 steps): ms per warm refit.
  const refit = new m.BenchRefit('{}', 300);
  refit.refit();
  let k = 0;
  const r0 = performance.now();
  while (performance.now() - r0 < ms) { refit.refit(); k++; }
  out.svm_refit_ms = (performance.now() - r0) / k;
  refit.free();
  const t0 = performance.now();
  m.benchMatmul(256, 10);
  out.matmul_gflops = (2 * 256 ** 3 * 10) / ((performance.now() - t0) / 1000) / 1e9;
  return out;
}

const sessions = [];
for (const name of BROWSERS) {
  if (name === 'chromium') { sessions.push(await chromiumSession()); continue; }
  const env = await launch(name, 'site-bench');
  const caps = await env.driver.getCapabilities();
  sessions.push({ name, version: caps.get('browserVersion'), run: env.run, open: env.open, close: env.close });
}
const samples = {};
const add = (browser, key, value) => { ((samples[browser] ??= {})[key] ??= []).push(value); };
for (let round = 0; round < ROUNDS; round++) {
  for (const s of sessions) {
    await s.open('?preset=blobs');
    for (const preset of PRESETS) add(s.name, `steps/s ${preset}`, await s.run(stepRate, preset, ROUND_MS));
    add(s.name, 'fps blobs playing', await s.run(playFps, 'blobs', 1500));
    for (const [k, v] of Object.entries(await s.run(redrawMs, 'blobs'))) add(s.name, `redraw ms ${k}`, v);
    for (const [k, v] of Object.entries(await s.run(kernels, KERNELS, ROUND_MS))) add(s.name, `engine ${k}`, v);
    process.stderr.write(`round ${round + 1}/${ROUNDS} ${s.name} done\n`);
  }
}
const table = {};
for (const s of sessions) table[`${s.name} ${s.version}`] = Object.fromEntries(Object.entries(samples[s.name]).map(([k, v]) => [k, Number(median(v).toPrecision(4))]));
console.log(JSON.stringify({ rounds: ROUNDS, round_ms: ROUND_MS, medians: table }, null, 2));
for (const s of sessions) await s.close();
