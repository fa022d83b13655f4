// The engine off the frame path: in a Web Worker on a normal page, in slices on the main thread where no
// worker can start (an iframe sandboxed without allow-same-origin). Both modes and the command line give the
// same numbers to the bit; the page stays responsive whatever a link asks for.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, openLab, watch, SHOTS } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

const ROOT = new URL('../../', import.meta.url).pathname;

/** The command line's run.json for a preset after `steps` steps (the debug build `cargo test` made, else release). */
function cliRun(preset, steps) {
  const bin = ['target/debug/lastlayer', 'target/release/lastlayer'].map((b) => ROOT + b).find(existsSync);
  assert.ok(bin, 'the lastlayer binary is built (cargo test builds it)');
  const out = mkdtempSync(join(tmpdir(), 'lastlayer-cli-'));
  execFileSync(bin, ['reproduce', '--preset', preset, '--steps', String(steps), '--out', out], { stdio: 'ignore' });
  return JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
}

/** The numbers that must agree: the final metrics (but the fits' wall time) and every weight. */
function essence(run) {
  const { svm_fit_ms: _, ...final } = run.final;
  return { steps: run.steps, final, layers: run.network.layers, history: run.metrics.map(({ svm_fit_ms: __, ...m }) => m) };
}

/** A host page on another origin embedding the lab in an iframe sandboxed with allow-scripts only. */
function sandboxHost(name, query, width = 1000, height = 900) {
  return env.hostPage(name, `<!doctype html><title>host</title><link rel="icon" href="data:,"><iframe id="f" sandbox="allow-scripts" src="${env.url}${query}" width="${width}" height="${height}" style="border:0"></iframe>`);
}

test('worker, main-thread fallback and the command line give the same numbers to the bit', async () => {
  for (const [preset, steps] of [['moons', 1500], ['three_blobs', 800]]) {
    const cli = essence(cliRun(preset, steps));
    // Worker mode, on the page itself.
    const { page, problems, context } = await openLab(env, `?preset=${preset}`);
    assert.equal(await page.evaluate(() => window.lab.engine()), 'worker');
    await page.evaluate((n) => window.lab.step(n), steps);
    const worker = essence(JSON.parse(await page.evaluate(() => window.lab.exportRun())));
    assert.deepEqual(problems, []);
    await context.close();
    assert.deepEqual(worker.final, cli.final, `${preset}: page (worker) vs command line`);
    assert.deepEqual(worker.layers, cli.layers, `${preset}: weights, page (worker) vs command line`);
    assert.deepEqual(worker.history, cli.history, `${preset}: history, page (worker) vs command line`);
    // Main-thread mode, in a cross-origin iframe sandboxed with allow-scripts only (its origin is opaque).
    const host = await env.browser.newContext({ viewport: { width: 1100, height: 950 } });
    const hpage = await host.newPage();
    const hostProblems = [];
    watch(hpage, null, hostProblems);
    await hpage.goto(sandboxHost(`same-${preset}.html`, `?preset=${preset}`));
    const frame = hpage.frames().find((f) => f.url().startsWith(env.url)) ?? (await (await hpage.$('#f')).contentFrame());
    await frame.waitForFunction(() => window.lab !== undefined);
    await frame.evaluate(() => window.lab.ready);
    assert.equal(await frame.evaluate(() => window.lab.engine()), 'main', 'no worker in an opaque origin');
    await frame.evaluate((n) => window.lab.step(n), steps);
    const main = essence(JSON.parse(await frame.evaluate(() => window.lab.exportRun())));
    assert.deepEqual(main.final, cli.final, `${preset}: main-thread mode vs command line`);
    assert.deepEqual(main.layers, cli.layers, `${preset}: weights, main-thread mode vs command line`);
    assert.deepEqual(main.history, cli.history, `${preset}: history, main-thread mode vs command line`);
    assert.deepEqual(hostProblems, []);
    await host.close();
  }
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
  assert.deepEqual(problems, []);
  await context.close();
});

test('a hostile link (huge network, many points, large C, refit every step) announces its cost and never blocks the page', async () => {
  const hostile = encodeURIComponent(JSON.stringify({ data: { samples: 5000 }, network: { hidden: [2048, 128, 128, 128, 128, 128] }, svm: { c: 1e7, refit_every: 1 } }));
  const { page, problems, context } = await openLab(env, `?c=${hostile}&play`);
  await page.waitForFunction(() => /This run is heavy: about/.test(document.getElementById('banners').textContent), null, { timeout: 20000 });
  // The page answers at once while the worker grinds: a click changes the theme, the lab pauses and resets.
  const t0 = Date.now();
  await page.click('#theme');
  assert.ok(Date.now() - t0 < 2000, 'the page responds');
  await page.evaluate(() => window.lab.pause());
  await page.screenshot({ path: `${SHOTS}hostile.png` });
  assert.deepEqual(problems, []);
  await context.close();
  // Without a worker (sandboxed iframe), the page refuses to run it on its main thread and says so.
  const host = await env.browser.newContext({ viewport: { width: 1100, height: 950 } });
  const hpage = await host.newPage();
  const hostProblems = [];
  watch(hpage, null, hostProblems);
  await hpage.goto(sandboxHost('hostile.html', `?c=${hostile}&play`));
  const frame = await (await hpage.$('#f')).contentFrame();
  await frame.waitForFunction(() => window.lab !== undefined);
  await frame.evaluate(() => window.lab.ready);
  await frame.waitForFunction(() => /too heavy/.test(document.getElementById('banners').textContent + document.getElementById('message').textContent), null, { timeout: 20000 });
  const t1 = Date.now();
  await frame.evaluate(() => 1 + 1);
  assert.ok(Date.now() - t1 < 1000, 'the main thread is free');
  assert.equal(await frame.evaluate(() => window.lab.isPlaying()), false);
  assert.deepEqual(hostProblems, []);
  await host.close();
});
