// Embeds: the lab in a cross-origin iframe sandboxed with allow-scripts only, at several sizes (no scrolling
// inside the frame, the input view whole and large, Play visible), driven by the postMessage protocol (every
// call, bad messages, the ready and metrics events), and the example post that drives it as the reader scrolls.
import assert from 'node:assert/strict';
import { test, before, after, launch, watch, colorCounts, settledHash, SHOTS, HOST_JS } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

async function host(name, query, width, height, sandbox = 'allow-scripts') {
  env.hostPage('host.js', HOST_JS);
  const url = env.hostPage(name, `<!doctype html><title>host</title><link rel="icon" href="data:,"><style>body{margin:0}</style><iframe id="f" sandbox="${sandbox}" src="${env.url}${query}" width="${width}" height="${height}" style="border:0;display:block"></iframe><script src="host.js"></script>`);
  const context = await env.browser.newContext({ viewport: { width: width + 40, height: height + 40 } });
  const page = await context.newPage();
  const problems = [];
  watch(page, null, problems);
  await page.goto(url);
  const frame = await (await page.$('#f')).contentFrame();
  await page.waitForFunction(() => window.events.some((e) => e.event === 'ready'), null, { timeout: 30000 });
  return { page, frame, problems, context };
}

// Okabe–Ito blue and orange: the light theme's colours of classes 0 and 1.
const CLASS0 = [0, 114, 178];
const CLASS1 = [230, 159, 0];

/** Where things are in the frame, and which views show. */
function layoutOf(frame) {
  return frame.evaluate(() => {
    const doc = document.documentElement;
    const rect = (id) => { const r = document.getElementById(id).getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height }; };
    return {
      scrollW: doc.scrollWidth, scrollH: doc.scrollHeight, w: innerWidth, h: innerHeight,
      input: rect('input-view'), play: rect('embed-play'),
      views: ['input', 'feature', 'charts'].filter((v) => !document.getElementById(`${v}-figure`).hidden),
    };
  });
}

test('the embed fits its frame: no inner scrolling, the input view whole, large and drawn, Play inside the frame', async () => {
  for (const [width, height] of [[720, 480], [400, 600], [320, 400], [1000, 700]]) {
    const { page, frame, problems, context } = await host(`fit-${width}x${height}.html`, '?preset=blobs&embed', width, height);
    assert.equal(await frame.evaluate(() => window.lab.engine()), 'main', 'a sandboxed frame trains on its own thread');
    await frame.evaluate(() => window.lab.step(20));
    await settledHash(frame, 'input-view');
    const layout = await layoutOf(frame);
    const what = `${width}×${height}`;
    assert.ok(layout.scrollH <= layout.h && layout.scrollW <= layout.w, `${what}: scrolls inside (${layout.scrollW}×${layout.scrollH} in ${layout.w}×${layout.h})`);
    const i = layout.input;
    assert.ok(i.left >= 0 && i.top >= 0 && i.right <= layout.w && i.bottom <= layout.h, `${what}: input view cut: ${JSON.stringify(i)}`);
    assert.ok(Math.min(i.width, i.height) >= 0.4 * Math.min(width, height), `${what}: input view ${i.width}×${i.height}`);
    const p = layout.play;
    assert.ok(p.width > 0 && p.left >= 0 && p.right <= layout.w && p.top >= 0 && p.bottom <= layout.h, `${what}: Play inside the frame: ${JSON.stringify(p)}`);
    const [blue, orange] = await colorCounts(frame, 'input-view', [CLASS0, CLASS1], 30);
    assert.ok(blue > 100 && orange > 100, `${what}: the input view is drawn (${blue}, ${orange})`);
    if (width >= 1000) assert.ok(layout.views.length >= 2, `${what}: room for more views: ${layout.views}`);
    await page.screenshot({ path: `${SHOTS}embed-${width}x${height}.png` });
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test('the embed lays itself out again when its frame is resized, shows the views &view= asks for and hides the panels &hide= names', async () => {
  const { page, frame, problems, context } = await host('resize.html', '?preset=blobs&embed', 400, 500);
  await settledHash(frame, 'input-view');
  const small = await layoutOf(frame);
  await page.evaluate(() => { const f = document.getElementById('f'); f.width = '1100'; f.height = '640'; });
  await frame.waitForFunction(() => innerWidth === 1100);
  await frame.waitForFunction(() => ['input', 'feature', 'charts'].filter((v) => !document.getElementById(`${v}-figure`).hidden).length >= 2);
  const large = await layoutOf(frame);
  assert.ok(large.views.length > small.views.length && large.input.width >= 240, `more views, each large: ${small.views} → ${large.views} (${large.input.width} px)`);
  assert.ok(large.scrollH <= large.h && large.scrollW <= large.w, 'no scrolling after the resize');
  await settledHash(frame, 'feature-view');
  assert.deepEqual(problems, []);
  await context.close();
  const chosen = await host('chosen.html', '?preset=blobs&embed&view=charts,input&hide=data', 1100, 640);
  await chosen.frame.waitForFunction(() => !document.getElementById('charts-figure').hidden);
  const views = await chosen.frame.evaluate(() => ['input', 'feature', 'charts'].filter((v) => !document.getElementById(`${v}-figure`).hidden));
  assert.deepEqual(views.sort(), ['charts', 'input'], 'only the views asked for');
  const panels = await chosen.frame.evaluate(() => ['presets', 'data', 'network', 'svm', 'view'].filter((p) => !document.getElementById(`${p}-panel`).hidden));
  assert.deepEqual(panels, ['presets', 'network', 'svm', 'view'], 'only the data panel hidden');
  assert.deepEqual(chosen.problems, []);
  await chosen.context.close();
});

test('a frame that allows a worker (allow-scripts allow-same-origin) trains in a worker', async () => {
  const { frame, problems, context } = await host('worker.html', '?preset=moons&embed', 720, 480, 'allow-scripts allow-same-origin');
  assert.equal(await frame.evaluate(() => window.lab.engine()), 'worker');
  assert.equal(await frame.evaluate(() => window.lab.step(100)), 100);
  assert.equal((await frame.evaluate(() => window.lab.metrics())).svm_fitted_at_step, 100);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the message protocol: every call works, bad messages are answered or ignored, the frame keeps answering', async () => {
  const { page, problems, context } = await host('protocol.html', '?embed', 720, 480);
  const send = (call, args) => page.evaluate(({ call, args }) => window.send(call, args), { call, args });
  let r = await send('presets');
  assert.ok(r.ok && r.value.some((p) => p.name === 'moons'), JSON.stringify(r).slice(0, 200));
  r = await send('loadPreset', 'moons');
  assert.ok(r.ok, r.error);
  r = await send('config');
  assert.equal(r.value.data.set, 'moons');
  r = await send('step', 50);
  assert.deepEqual([r.ok, r.value], [true, 50]);
  r = await send('metrics');
  assert.ok(r.ok && r.value.step === 50 && r.value.svm_fitted_at_step === 50, JSON.stringify(r).slice(0, 200));
  r = await send('play');
  assert.ok(r.ok);
  const t0 = await page.evaluate(() => performance.now());
  r = await send('subscribe');
  assert.ok(r.ok);
  // Metrics events arrive four times a second while subscribed: wait for three, then count them against the
  // time measured (no more than one per 250 ms), with the steps rising as the run plays.
  await page.waitForFunction(() => window.events.filter((e) => e.event === 'metrics').length >= 3, null, { timeout: 10000 });
  r = await send('pause');
  assert.ok(r.ok);
  const { events, ms } = await page.evaluate((t0) => ({
    events: window.events.filter((e) => e.event === 'metrics').map((e) => e.value.step), ms: performance.now() - t0,
  }), t0);
  assert.ok(events.length <= ms / 250 + 1, `${events.length} metrics events in ${Math.round(ms)} ms`);
  assert.ok(events.every((s, i) => i === 0 || s >= events[i - 1]) && events.at(-1) > events[0], `rising steps: ${events}`);
  r = await send('unsubscribe');
  assert.ok(r.ok);
  r = await send('metrics');
  assert.ok(r.value.step > 50, `played: step ${r.value.step}`);
  r = await send('setConfig', { train: { learning_rate: 0.1 } });
  assert.ok(r.ok, r.error);
  r = await send('setConfig', { svm: { c: -3 } });
  assert.deepEqual([r.ok, /svm\.c = -3 is out of range/.test(r.error)], [false, true], JSON.stringify(r));
  r = await send('setConfig', 'not an object');
  assert.equal(r.ok, false);
  r = await send('launchMissiles');
  assert.deepEqual([r.ok, /unknown call 'launchMissiles'/.test(r.error)], [false, true]);
  r = await send('loadPreset', '<img src=x onerror=alert(1)>');
  assert.equal(r.ok, false);
  assert.equal(await page.evaluate(() => document.getElementById('f').contentDocument), null, 'cross-origin: the host cannot reach in');
  r = await send('step', 1e12);
  assert.equal(r.ok, false);
  r = await send('reset');
  assert.ok(r.ok);
  // Garbage: not objects, wrong versions, huge, weird — none throws, every addressed message with a valid id
  // gets exactly one answer, the bad ones ok: false, and the frame still answers.
  const expected = await page.evaluate(() => {
    const junk = [null, 0, 'play', [], { lastlayer: 2, id: 1, call: 'play' }, { lastlayer: 1 }, { lastlayer: 1, id: {}, call: 'play' },
      { lastlayer: 1, id: 'x'.repeat(5000), call: 'play' }, { lastlayer: 1, id: 7, call: { toString: 1 } }, { lastlayer: 1, id: 8, call: 'step', args: -4 },
      { lastlayer: 1, id: 9, call: 'setConfig', args: { data: { points: 'x'.repeat(300000) } } }, { lastlayer: 1, id: 10, call: 'step', args: 'ten' }];
    for (let i = 0; i < 200; i++) junk.push({ lastlayer: 1, id: 1000 + i, call: ['play', 'pause', 'step', 'config', 'x'][i % 5], args: [i, 'a', null, {}, [1]][i % 5] });
    for (const m of junk) window.raw(m);
    return junk.filter((m) => m && m.lastlayer === 1 && (typeof m.id === 'number' || (typeof m.id === 'string' && m.id.length <= 200))).map((m) => m.id);
  });
  assert.equal(expected.length, 204);
  await page.waitForFunction((ids) => ids.every((id) => window.replies.has(id)), expected, { timeout: 15000 });
  const answers = await page.evaluate((ids) => ids.map((id) => window.replies.get(id)), expected);
  for (const [k, a] of answers.entries()) {
    const id = expected[k];
    assert.equal(typeof a.ok, 'boolean', `reply to ${id}`);
    if (!a.ok) assert.ok(typeof a.error === 'string' && a.error.length > 0, `reply to ${id} says why`);
  }
  const byId = Object.fromEntries(answers.map((a) => [a.id, a]));
  assert.deepEqual([7, 8, 9, 10].map((id) => byId[id].ok), [false, false, false, false], 'bad calls and arguments are answered ok: false');
  // Of the 200 generated: 'x' is no call, play/pause take no arguments (only null passes), step takes a whole number.
  for (let i = 0; i < 200; i++) {
    const call = ['play', 'pause', 'step', 'config', 'x'][i % 5];
    const args = [i, 'a', null, {}, [1]][i % 5];
    const ok = call !== 'x' && (call === 'step' ? args === null : args === null);
    assert.equal(byId[1000 + i].ok, ok, `junk ${i}: ${call}(${JSON.stringify(args)})`);
  }
  r = await send('pause');
  assert.ok(r.ok, 'the frame still answers');
  r = await send('metrics');
  assert.ok(r.ok);
  await page.screenshot({ path: `${SHOTS}embed-protocol.png` });
  assert.deepEqual(problems, []);
  await context.close();
});

test('the example post drives its embedded lab as the reader scrolls, with a caption that follows the lab', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  watch(page, new URL(env.url).origin, problems);
  await page.goto(`${env.url}embed-example.html`);
  await page.waitForFunction(() => window.postState?.ready === true, null, { timeout: 30000 });
  const frame = await (await page.$('iframe')).contentFrame();
  const sections = await page.$$eval('[data-step]', (els) => els.map((e) => [e.dataset.step, e.querySelector('h2').textContent]));
  assert.ok(sections.length >= 4, `${sections.length} sections`);
  const presets = { blobs: 'blobs', slow: 'blobs', fast: 'normalized_gd', mse: 'mse', overlap: 'moons_overlap' };
  for (const [s, title] of sections) {
    await page.$eval(`[data-step="${s}"]`, (el) => el.scrollIntoView({ block: 'center' }));
    await page.waitForFunction((s) => window.postState.active === s, s, { timeout: 20000 });
    // The lab runs the section's experiment, and the caption names the section.
    assert.equal((await frame.evaluate(() => window.lab.metrics())).preset, presets[s], `${s}: the lab runs ${presets[s]}`);
    assert.equal(await page.textContent('#status-section'), title);
    if (s === 'slow') assert.equal((await frame.evaluate(() => window.lab.metrics())).step, 3000, 'paused at step 3 000');
  }
  // The caption follows the lab while it plays (about twice a second), with a measured angle, never "—°".
  const first = await page.evaluate(() => window.postState.captionStep);
  await page.waitForFunction((s) => window.postState.captionStep > s, first, { timeout: 5000 });
  const caption = await page.textContent('#status-numbers');
  const m = await frame.evaluate(() => window.lab.metrics());
  const shown = Number(caption.match(/^step ([0-9,]+)/)[1].replaceAll(',', ''));
  assert.ok(shown <= m.step && m.step - shown < 20000, `the caption's step ${shown} trails the lab's ${m.step} by less than a second of play`);
  assert.match(caption, /angle to the SVM [0-9.]+° \(measured at step [0-9,]+\)/);
  assert.ok(!caption.includes('—'));
  await page.screenshot({ path: `${SHOTS}embed-example.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('on a phone the example post holds its lab at the top while each paragraph read below it drives it', async () => {
  const context = await env.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const problems = [];
  watch(page, new URL(env.url).origin, problems);
  await page.goto(`${env.url}embed-example.html`);
  await page.waitForFunction(() => window.postState?.ready === true, null, { timeout: 30000 });
  const sections = await page.$$eval('[data-step]', (els) => els.map((e) => e.dataset.step));
  for (const s of sections) {
    // The section's title read at three quarters down the screen, below the lab.
    await page.$eval(`[data-step="${s}"] h2`, (el) => window.scrollBy(0, el.getBoundingClientRect().top - 0.74 * innerHeight));
    await page.waitForFunction((s) => window.postState.active === s, s, { timeout: 20000 });
    const [lab, title] = await page.evaluate((s) => [document.getElementById('lab').getBoundingClientRect().toJSON(),
      document.querySelector(`[data-step="${s}"] h2`).getBoundingClientRect().toJSON()], s);
    assert.ok(lab.top >= 0 && lab.bottom <= 844 && lab.bottom <= title.top, `${s}: the lab whole on screen, above the paragraph read: ${JSON.stringify({ lab, title })}`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});
