// Nothing hangs, nothing is lost: when the engine dies — its worker closed, or a panic in the core (a test-only
// request of the build with the test hooks, target/site-bench), in a worker and on the main thread — every
// pending request fails with a message within seconds, the page says what happened, a new engine starts, and
// the run is restored to the step it had reached with the same numbers as a run never interrupted: the
// config, an imported table and the user's points survive.
import assert from 'node:assert/strict';
import { test, before, after, launch, openLab, watch, metrics, within, untilMetrics } from './harness.mjs';

let env;
let hooks;
before(async () => { env = await launch(); hooks = await launch('site-bench'); });
after(async () => { await env?.close(); await hooks?.close(); });

/** A table of four features, two classes named by words. */
function tableCsv() {
  let seed = 11;
  const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  let text = 'a,b,c,d,label\n';
  for (let i = 0; i < 120; i++) {
    const c = i % 3 === 0 ? 'yes' : 'no';
    const x = [0, 1, 2, 3].map((j) => rand() + (c === 'yes' && j < 2 ? 0.8 : 0));
    text += `${x.join(',')},${c}\n`;
  }
  return text;
}

/** The numbers of a run that must be the same: its step, config, final metrics (but the fits' wall time),
 * weights and history. */
async function essence(frame) {
  const run = JSON.parse(await frame.evaluate(() => window.lab.exportRun()));
  const { svm_fit_ms: _, ...final } = run.final;
  return { steps: run.steps, config: run.config, final, layers: run.network.layers, history: run.metrics.map(({ svm_fit_ms: __, ...m }) => m) };
}

/** Waits (at most 20 s) for the page to say the run was restored; returns the step it names. */
async function restored(frame) {
  await frame.waitForFunction(() => /restored to step/.test(document.getElementById('message').textContent), null, { timeout: 20000 });
  return Number((await frame.textContent('#message')).match(/step ([0-9,]+)/)[1].replaceAll(',', ''));
}

/** Arms the page to catch the moment its engine is declared lost (the message says so): at once it reads
 * `lab.metrics()` (the state the page keeps showing, flagged `restoring`) and asks for `steps` more steps
 * (which wait for the restore, then run; none asked for when null). Resolves with what it read, the steps' outcome and how long they took
 * from that moment. */
function onLoss(frame, steps) {
  return frame.evaluate((steps) => new Promise((resolve) => {
    const message = document.getElementById('message');
    const observer = new MutationObserver(() => {
      if (!/The engine stopped/.test(message.textContent)) return;
      observer.disconnect();
      const t0 = performance.now();
      const metrics = window.lab.metrics();
      const stepped = steps === null ? Promise.resolve({}) : window.lab.step(steps).then((n) => ({ n, ms: performance.now() - t0 }), (e) => ({ error: e.message }));
      resolve(Promise.all([metrics, stepped]).then(([m, s]) => ({ restoring: m.restoring, step: m.step, playing: m.playing, ...s })));
    });
    observer.observe(message, { childList: true, characterData: true, subtree: true });
  }), steps);
}

test('the worker closed: a pending request fails within seconds, requests made meanwhile wait for the restore, and the run comes back at the step it had with its table and its numbers', async () => {
  const { page, problems, context } = await openLab(env);
  await page.setInputFiles('#import-csv', { name: 'four.csv', mimeType: 'text/csv', buffer: Buffer.from(tableCsv()) });
  await page.waitForFunction(() => document.getElementById('message').textContent.includes('Imported 120 points'));
  await page.evaluate(() => window.lab.setConfig({ train: { learning_rate: 0.3 }, network: { hidden: [12, 2] } }));
  assert.equal(await page.evaluate(() => window.lab.step(300)), 300);
  const config = await page.evaluate(() => window.lab.config());
  // A long request in flight, then the worker goes away without a word.
  const pending = page.evaluate(() => window.lab.measure().then(() => window.lab.step(1_000_000))
    .then((n) => ({ n }), (e) => ({ error: e.message }))
    .then((r) => ({ ...r, at: performance.now() })));
  await untilMetrics(page, (m) => m.step > 400, 10000);
  assert.equal(page.workers().length, 1);
  const wasmLoads = [];
  page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasmLoads.push(r.url()); });
  const loss = onLoss(page, 100);
  const killedAt = await page.evaluate(() => performance.now());
  await page.workers()[0].evaluate(() => self.close());
  // The request in flight fails with the reason, and is not reported as steps taken.
  const failed = await within(15000, pending, 'the pending step request');
  assert.match(failed.error ?? '', /^The engine stopped: /, JSON.stringify(failed));
  // Found out by its silence: 2.5 s without a word while a request waits (a busy engine speaks four times a
  // second), where it took 6.5 s before; well under the old silence alone, on a slow machine too.
  assert.ok(failed.at - killedAt < 6000, `the worker's loss noticed after ${Math.round(failed.at - killedAt)} ms`);
  // At the loss: the page reports the last state it had (not a fresh run, not the replay's steps), flagged.
  const seen = await within(30000, loss, 'the moment of the loss');
  assert.equal(seen.restoring, true, 'the metrics say the engine is being restored');
  assert.ok(seen.step > 400, `the last state shown: step ${seen.step}`);
  const reached = await restored(page);
  assert.equal(reached, seen.step, 'restored to the step the page had');
  // The steps asked for during the restore ran after it: all of them.
  assert.equal(seen.n, 100, JSON.stringify(seen));
  assert.equal(await page.evaluate(() => window.lab.engine()), 'worker', 'a new worker');
  assert.deepEqual(wasmLoads, [], 'the new worker is handed the compiled engine: nothing is downloaded again');
  const m = await metrics(page);
  assert.deepEqual([m.step, m.restoring], [seen.step + 100, false]);
  assert.deepEqual([m.input_width, m.class_names], [4, ['no', 'yes']], 'the imported table survived');
  assert.deepEqual(await page.evaluate(() => window.lab.config()), config, 'the config survived');
  const restoredRun = await essence(page);
  // The same run, never interrupted, on a fresh page: the same numbers to the bit.
  const fresh = await openLab(env);
  await fresh.page.setInputFiles('#import-csv', { name: 'four.csv', mimeType: 'text/csv', buffer: Buffer.from(tableCsv()) });
  await fresh.page.waitForFunction(() => document.getElementById('message').textContent.includes('Imported 120 points'));
  await fresh.page.evaluate(() => window.lab.setConfig({ train: { learning_rate: 0.3 }, network: { hidden: [12, 2] } }));
  await fresh.page.evaluate((s) => window.lab.step(s), seen.step + 100);
  assert.deepEqual(restoredRun, await essence(fresh.page));
  await fresh.context.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('the user\'s own points and a playing run survive a lost worker: back at the step it had, playing, with the numbers of a run never interrupted', async () => {
  const { page, problems, context } = await openLab(env);
  const box = await page.locator('#input-view').boundingBox();
  await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.3);
  await page.waitForFunction(() => window.lab.config().data.set === 'custom');
  const config = await page.evaluate(() => window.lab.config());
  await page.evaluate(() => window.lab.play());
  await untilMetrics(page, (m) => m.step > 100, 10000);
  const loss = onLoss(page, null);
  await page.workers()[0].evaluate(() => self.close());
  const seen = await within(30000, loss, 'the moment of the loss');
  assert.deepEqual([seen.restoring, seen.playing], [true, true]);
  assert.equal(await restored(page), seen.step, 'restored to the step the page had');
  assert.deepEqual(await page.evaluate(() => window.lab.config()), config, 'the points survived');
  await page.waitForFunction(() => window.lab.isPlaying(), null, { timeout: 10000 });
  await untilMetrics(page, (m) => m.step > seen.step + 100, 10000);
  await page.evaluate(() => window.lab.pause());
  const run = await essence(page);
  // The same points stepped as far on a page that never lost its engine: the same network to the bit.
  const fresh = await openLab(env);
  await fresh.page.evaluate((c) => window.lab.setConfig(c), config);
  await fresh.page.evaluate((s) => window.lab.step(s), run.steps);
  const again = await essence(fresh.page);
  assert.deepEqual([run.steps, run.config, run.layers], [again.steps, again.config, again.layers]);
  await fresh.context.close();
  assert.deepEqual(problems, []);
  await context.close();
});

/** Runs `preset` for 120 steps, makes the core panic, and checks the recovery in `frame`. */
async function panicAndRecover(frame, problems) {
  await frame.evaluate(() => window.lab.loadPreset('moons'));
  assert.equal(await frame.evaluate(() => window.lab.step(120)), 120);
  const before = await essence(frame);
  const error = await within(15000, frame.evaluate(() => window.lab.request('crash').then(() => null, (e) => e.message)), 'the request that broke the core');
  assert.match(error ?? '', /The engine stopped: /, 'the request that broke the core fails with a message');
  const step = await restored(frame);
  assert.equal(step, 120);
  assert.deepEqual(await essence(frame), before, 'the restored run has the numbers of the run before the panic');
  // The panic is reported on the console (the core's panic hook) and nothing else goes wrong.
  const unexpected = problems.filter((p) => !/asked to crash|unreachable|RuntimeError/.test(p));
  assert.deepEqual(unexpected, []);
}

test('a panic in the core, in the worker: the page says so and restores the run', async () => {
  const { page, problems, context } = await openLab(hooks);
  assert.equal(await page.evaluate(() => window.lab.engine()), 'worker');
  await panicAndRecover(page, problems);
  await context.close();
});

test('a panic in the core, on the main thread (a sandboxed frame): the page says so and restores the run', async () => {
  const url = hooks.hostPage('panic.html', `<!doctype html><title>host</title><link rel="icon" href="data:,"><iframe id="f" sandbox="allow-scripts" src="${hooks.url}" width="1000" height="800" style="border:0"></iframe>`);
  const context = await hooks.browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  watch(page, null, problems);
  await page.goto(url);
  const frame = await (await page.$('#f')).contentFrame();
  await frame.waitForFunction(() => window.lab !== undefined);
  await frame.evaluate(() => window.lab.ready);
  assert.equal(await frame.evaluate(() => window.lab.engine()), 'main');
  await panicAndRecover(frame, problems);
  assert.equal(await frame.evaluate(() => window.lab.engine()), 'main');
  await context.close();
});
