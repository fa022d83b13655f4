// Measures the page against BENCHMARKS.md §3 in headless Chromium (playwright-core + Debian's chromium):
// a full redraw of every view, frames per second while training at full speed, time from navigation to the
// first boundary drawn, and the gzipped size of what the first view downloads (the page's files and its
// worker's); and (§4) the wall time until the angle between the last layer and the SVM falls below 1° and 0.1°
// on the blobs preset, with GD and with normalised GD, playing at full speed (stopped after --converge-seconds,
// default 60). Run after scripts/build:
//   node bench/page.mjs [--scale 1|2] [--preset blobs] [--site DIR] [--net LATENCY_MS,KBIT_S]
// --net emulates a network for the first-boundary loads (CDP; files go uncompressed, as this server sends them).
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { startServer } from '../scripts/static-server.mjs';

const arg = (name, fallback) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : fallback; };
const scale = Number(arg('scale', '1'));
const preset = arg('preset', 'blobs');
const net = arg('net', null)?.split(',').map(Number);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

const site = arg('site', new URL('../target/site/', import.meta.url).pathname).replace(/\/?$/, '/');
const { server, url } = await startServer(site);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, deviceScaleFactor: scale });

// Time to first boundary: `lab.ready` resolves after the first full draw; performance.now() counts from navigation.
// Every file these loads fetch (the page's and its worker's) is what the first view needs.
const firstDraw = [];
const fetched = new Set();
context.on('request', (r) => { if (r.url().startsWith(url)) fetched.add(new URL(r.url()).pathname.slice(1) || 'index.html'); });
for (let i = 0; i < 7; i++) {
  const page = await context.newPage();
  if (net) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    const bytesPerSecond = (net[1] * 1000) / 8;
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: net[0], downloadThroughput: bytesPerSecond, uploadThroughput: bytesPerSecond });
  }
  await page.goto(`${url}?preset=${preset}`);
  firstDraw.push(await page.evaluate(async () => { await window.lab.ready; return performance.now(); }));
  await page.close();
}

context.removeAllListeners('request');

const page = await context.newPage();
await page.goto(`${url}?preset=${preset}`);
await page.evaluate(() => window.lab.ready);
// Warm up to a realistic state, then time full redraws (all three views and the readout).
await page.evaluate(() => window.lab.step(2000));
await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
const redraws = await page.evaluate(() => Array.from({ length: 40 }, () => window.lab.redraw()));
// Frames per second and steps per second while training at full speed (speed slider at its maximum).
await page.$eval('#speed', (el) => { el.value = el.max; el.dispatchEvent(new Event('input')); });
const live = await page.evaluate(async () => {
  const start = (await window.lab.metrics()).step;
  await window.lab.play();
  let frames = 0;
  const t0 = performance.now();
  await new Promise((resolve) => { const count = () => { frames++; if (performance.now() - t0 < 5000) requestAnimationFrame(count); else resolve(); }; requestAnimationFrame(count); });
  const s = (performance.now() - t0) / 1000;
  const m = await window.lab.metrics();
  await window.lab.pause();
  return { fps: frames / s, steps: (m.step - start) / s };
});

// §4: wall time to an angle below 1° and 0.1°, playing at full speed, with the page drawing as it does for a user.
const limit = Number(arg('converge-seconds', '60')) * 1000;
const converge = {};
for (const name of ['blobs', 'normalized_gd']) {
  const p = await context.newPage();
  await p.goto(`${url}?preset=${name}`);
  await p.evaluate(() => window.lab.ready);
  await p.$eval('#speed', (el) => { el.value = el.max; el.dispatchEvent(new Event('input')); });
  converge[name] = await p.evaluate((limit) => new Promise((resolve) => {
    const out = { below_1_deg: null, below_0_1_deg: null };
    const t0 = performance.now();
    const poll = async () => {
      const m = await window.lab.metrics();
      const t = performance.now() - t0;
      const mark = (key, deg) => { if (out[key] === null && m.angle_w_deg < deg) out[key] = { s: Number((t / 1000).toFixed(2)), step: m.step }; };
      mark('below_1_deg', 1);
      mark('below_0_1_deg', 0.1);
      if (out.below_0_1_deg !== null || t > limit) {
        window.lab.pause();
        out.final = { s: Number((t / 1000).toFixed(2)), step: m.step, angle_w_deg: Number(m.angle_w_deg.toPrecision(4)) };
        resolve(out);
      } else {
        setTimeout(poll, 50);
      }
    };
    window.lab.play();
    poll();
  }), limit);
  await p.close();
}
await browser.close();
server.close();

// What the first view downloads (gzipped, as a static host would send it): the page, its style, the shell's
// scripts and the core.
const sizes = Object.fromEntries([...fetched].sort().map((f) => [f, gzipSync(readFileSync(site + f), { level: 9 }).length]));
const total = Object.values(sizes).reduce((a, b) => a + b, 0);
const wasmJs = total - sizes['index.html'] - sizes['style.css'];
console.log(JSON.stringify({
  preset, deviceScaleFactor: scale,
  network: net ? { latency_ms: net[0], kbit_s: net[1] } : "loopback", first_boundary_ms_median: Math.round(median(firstDraw)), first_boundary_ms_all: firstDraw.map(Math.round),
  full_redraw_ms_median: Number(median(redraws).toFixed(2)), full_redraw_ms_p90: Number([...redraws].sort((a, b) => a - b)[Math.floor(redraws.length * 0.9)].toFixed(2)),
  fps_while_training: Number(live.fps.toFixed(1)), steps_per_second_while_training: Math.round(live.steps),
  time_to_angle: converge,
  gzipped_bytes: sizes, gzipped_wasm_plus_js_kb: Number((wasmJs / 1024).toFixed(1)), gzipped_total_kb: Number((total / 1024).toFixed(1)),
}, null, 2));
