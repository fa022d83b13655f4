// The engine off the frame path: in a Web Worker on a normal page, in slices on the main thread where no
// worker can start (an iframe sandboxed without allow-same-origin). Both modes and the command line give the
// same numbers to the bit; the page stays responsive whatever a link asks for.
import assert from 'node:assert/strict';
import { test, before, after, launch, openLab, openSandboxed, watch, cliRun, essence, pageEssence, SHOTS, untilMetrics } from './harness.mjs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

/** Opens the lab in a sandboxed frame (main-thread engine); returns the frame, its page and problems. */
const sandboxed = (name, query) => openSandboxed(env, name, query);

test('the wasm is downloaded once and one worker runs on it, each thread its shell in one script; the sandboxed fallback downloads the wasm once too', async () => {
  const wasmFetches = (target) => target.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).length);
  const context = await env.browser.newContext();
  const scripts = [];
  context.on('request', (r) => { if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname); });
  const page = await context.newPage();
  const problems = [];
  watch(page, new URL(env.url).origin, problems);
  await page.goto(`${env.url}?preset=moons`);
  await page.evaluate(() => window.lab.ready);
  assert.equal(await page.evaluate(() => window.lab.engine()), 'worker');
  assert.equal(await page.evaluate(() => window.lab.step(50)), 50);
  assert.equal(await wasmFetches(page), 1, 'the page and its worker share one download');
  assert.equal(page.workers().length, 1, 'one worker: the one boot.js started');
  // The build bundles the shell: the page's scripts are boot.js and main.js, the worker's is worker.js.
  assert.deepEqual(scripts.sort(), ['/boot.js', '/main.js', '/worker.js']);
  assert.deepEqual(problems, []);
  await context.close();
  const s = await sandboxed('once.html', '?preset=moons');
  assert.equal(await s.frame.evaluate(() => window.lab.engine()), 'main');
  assert.equal(await s.frame.evaluate(() => window.lab.step(50)), 50);
  assert.equal(await wasmFetches(s.frame), 1, 'the fallback instantiates the same compiled module');
  assert.deepEqual(s.problems, []);
  await s.context.close();
});

test('a wasm that cannot be downloaded: the page says so, lab.ready fails with the reason, and nothing else goes wrong', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const problems = [];
  watch(page, new URL(env.url).origin, problems);
  await page.route('**/lastlayer_bg.wasm', (route) => route.fulfill({ status: 404, body: 'gone' }));
  await page.goto(env.url);
  const outcome = await page.evaluate(() => window.lab.ready.then(() => 'ready', (e) => String(e?.message ?? e)));
  assert.match(outcome, /HTTP 404/);
  await page.waitForSelector('#message:not([hidden])');
  assert.match(await page.textContent('#message'), /could not start: HTTP 404/);
  // The failed download itself is expected (the one fetch of the file, and its console line); nothing else.
  const expected = (p) => /^HTTP 404: .*lastlayer_bg\.wasm$/.test(p) || /^console: Failed to load resource: .* 404/.test(p);
  assert.deepEqual(problems.filter((p) => !expected(p)), []);
  await context.close();
});

test('the main-thread fallback gives the worker\'s numbers to the bit (moons, three blobs, the paper\'s 2 000-wide network)', async () => {
  const { frame, problems, context } = await sandboxed('same.html', '');
  assert.equal(await frame.evaluate(() => window.lab.engine()), 'main', 'no worker in an opaque origin');
  for (const [preset, steps] of [['moons', 1500], ['three_blobs', 800], ['paper', 300]]) {
    await frame.evaluate((name) => window.lab.loadPreset(name), preset);
    await frame.evaluate((n) => window.lab.step(n), steps);
    assert.deepEqual(await pageEssence(frame), essence(cliRun(preset, steps)), `${preset}: main-thread mode vs command line`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('an imported table: the page and the command line (--data) give the same numbers to the bit', async () => {
  let seed = 3;
  const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  let text = 'u,v,w,label\n';
  for (let i = 0; i < 90; i++) text += `${rand()},${rand() + (i % 3) * 0.6},${rand() * 10},${['red', 'green', 'blue'][i % 3]}\n`;
  const dir = mkdtempSync(join(tmpdir(), 'lastlayer-table-'));
  writeFileSync(join(dir, 'colours.csv'), text);
  const cli = essence(cliRun('blobs', 400, ['--data', join(dir, 'colours.csv')]));
  const { page, problems, context } = await openLab(env);
  await page.setInputFiles('#import-csv', { name: 'colours.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
  await page.waitForFunction(() => document.getElementById('message').textContent.includes('Imported 90 points'));
  await page.evaluate(() => window.lab.step(400));
  assert.deepEqual(await pageEssence(page), cli);
  assert.deepEqual(problems, []);
  await context.close();
});

/** Plays for `ms` and measures frames, steps and the main thread's long tasks after the first half second. */
async function playAndMeasure(page, ms) {
  return page.evaluate((ms) => new Promise((resolve) => {
    const longTasks = [];
    const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) longTasks.push(e.duration); });
    observer.observe({ type: 'longtask', buffered: false });
    let frames = 0;
    let t0;
    let s0;
    window.lab.play().then(async () => {
      await new Promise((r) => setTimeout(r, 500));
      longTasks.length = 0;
      t0 = performance.now();
      s0 = (await window.lab.metrics()).step;
      const count = () => {
        frames++;
        if (performance.now() - t0 < ms) requestAnimationFrame(count);
        else finish();
      };
      requestAnimationFrame(count);
    });
    const finish = async () => {
      const m = await window.lab.metrics();
      const s = (performance.now() - t0) / 1000;
      await window.lab.pause();
      observer.disconnect();
      resolve({ fps: frames / s, steps: (m.step - s0) / s, longest: Math.max(0, ...longTasks), lag: m.step - m.svm_fitted_at_step, step: m.step });
    };
  }), ms);
}

test('a deep network plays in the worker: frames keep coming and no main-thread task is long', async () => {
  const { page, problems, context } = await openLab(env, '?preset=blobs');
  await page.evaluate(() => window.lab.setConfig({ network: { hidden: [128, 128, 128, 128, 2] } }));
  const r = await playAndMeasure(page, 3000);
  // Behaviour, not speed: the page keeps drawing while the worker trains (see BENCHMARKS.md for the rates).
  assert.ok(r.fps > 10, `frames per second while playing: ${r.fps}`);
  assert.ok(r.longest < 250, `longest main-thread task ${r.longest} ms`);
  assert.ok(r.step > 20, `the worker trained: ${r.step} steps`);
  // The SVM in metrics() trails the step by at most about a second of play (BENCH.md §5's bar).
  assert.ok(r.lag <= Math.max(10, r.steps * 1.5), `the SVM lags ${r.lag} steps at ${Math.round(r.steps)} steps/s`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a hostile link (huge network, many points, large C, refit every step) announces its cost and never blocks the page', async () => {
  const hostile = encodeURIComponent(JSON.stringify({ data: { samples: 5000 }, network: { hidden: [2048, 128, 128, 128, 128, 128] }, svm: { c: 1e7, refit_every: 1 } }));
  const { page, problems, context } = await openLab(env, `?c=${hostile}&play`);
  await page.waitForFunction(() => /This run is heavy: about/.test(document.getElementById('banners').textContent), null, { timeout: 20000 });
  assert.equal(await page.evaluate(() => window.lab.isPlaying()), true);
  // The page answers at once while the worker grinds: a click changes the theme, the lab pauses and resets.
  const t0 = Date.now();
  await page.click('#theme');
  assert.ok(Date.now() - t0 < 2000, 'the page responds');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await page.click('#play');
  await page.waitForFunction(() => !window.lab.isPlaying(), null, { timeout: 10000 });
  await page.waitForFunction(() => document.getElementById('play').getAttribute('aria-pressed') === 'false');
  await page.click('#reset');
  await untilMetrics(page, (m) => m.step === 0, 10000);
  // A step that holds the worker for seconds is not taken for a lost engine (the page allows for the run's
  // own pieces of work): no restart while it played.
  assert.doesNotMatch(await page.textContent('#message'), /engine stopped|engine was restarted/i);
  await page.screenshot({ path: `${SHOTS}hostile.png` });
  assert.deepEqual(problems, []);
  await context.close();
  // Without a worker (sandboxed iframe), the page holds it on its main thread, says so, and runs it when asked.
  const { frame, problems: hostProblems, context: host } = await sandboxed('hostile.html', `?c=${hostile}&play`);
  await frame.waitForFunction(() => /Training is held/.test(document.getElementById('banners').textContent), null, { timeout: 20000 });
  const t1 = Date.now();
  await frame.evaluate(() => 1 + 1);
  assert.ok(Date.now() - t1 < 1000, 'the main thread is free');
  assert.equal(await frame.evaluate(() => window.lab.isPlaying()), false);
  assert.equal((await frame.evaluate(() => window.lab.metrics())).step, 0);
  assert.deepEqual(hostProblems, []);
  await host.close();
});

test('"Run anyway": a run held on the main thread trains once the user asks', async () => {
  // Heavy for a main thread (about 80 million multiply-adds a step), light enough to take a few steps here.
  const heavy = encodeURIComponent(JSON.stringify({ data: { samples: 2000 }, network: { hidden: [256, 64, 2] } }));
  const { frame, problems, context } = await sandboxed('anyway.html', `?c=${heavy}`);
  assert.equal(await frame.evaluate(() => window.lab.engine()), 'main');
  const refused = await frame.evaluate(() => window.lab.step(3).then((n) => `took ${n} steps`, (e) => e.message));
  assert.match(refused, /too heavy to train on the page's main thread/, 'held: no steps, and the reason');
  await frame.waitForFunction(() => /Training is held/.test(document.getElementById('banners').textContent), null, { timeout: 10000 });
  assert.match(await frame.textContent('#message'), /too heavy to train on the page's main thread/);
  await frame.click('#banner-list button');
  await frame.waitForFunction(() => !/Training is held/.test(document.getElementById('banners').textContent), null, { timeout: 10000 });
  assert.equal(await frame.evaluate(() => window.lab.step(3)), 3, '"Run anyway" lets it train');
  assert.equal((await frame.evaluate(() => window.lab.metrics())).svm_fitted_at_step, 3);
  assert.deepEqual(problems, []);
  await context.close();
});
