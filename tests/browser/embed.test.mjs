// Embeds: the lab in a cross-origin iframe sandboxed with allow-scripts only, at several sizes (no scrolling
// inside the frame, the input view whole and large, Play visible), driven by the postMessage protocol (every
// call, bad messages, the ready and metrics events), and the example post that drives it as the reader scrolls.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, watch, SHOTS } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

// The host's script (a file: the static server's CSP forbids inline scripts): it records every message from
// the frame and offers send(call, args) → Promise of the reply.
const HOST_JS = `
window.events = [];
window.replies = new Map();
let next = 1;
window.addEventListener('message', (e) => {
  const m = e.data;
  if (!m || m.lastlayer !== 1) return;
  if (m.event) window.events.push(m);
  else window.replies.set(m.id, m);
});
window.send = (call, args) => new Promise((resolve) => {
  const id = next++;
  document.getElementById('f').contentWindow.postMessage({ lastlayer: 1, id, call, args }, '*');
  const poll = () => (window.replies.has(id) ? resolve(window.replies.get(id)) : setTimeout(poll, 20));
  poll();
});
window.raw = (message) => document.getElementById('f').contentWindow.postMessage(message, '*');
`;

async function host(name, query, width, height) {
  env.hostPage('host.js', HOST_JS);
  const url = env.hostPage(name, `<!doctype html><title>host</title><link rel="icon" href="data:,"><style>body{margin:0}</style><iframe id="f" sandbox="allow-scripts" src="${env.url}${query}" width="${width}" height="${height}" style="border:0;display:block"></iframe><script src="host.js"></script>`);
  const context = await env.browser.newContext({ viewport: { width: width + 40, height: height + 40 } });
  const page = await context.newPage();
  const problems = [];
  watch(page, null, problems);
  await page.goto(url);
  const frame = await (await page.$('#f')).contentFrame();
  await page.waitForFunction(() => window.events.some((e) => e.event === 'ready'), null, { timeout: 30000 });
  return { page, frame, problems, context };
}

test('the embed fits its frame: no inner scrolling, the input view whole and large, Play visible', async () => {
  for (const [width, height] of [[720, 480], [400, 600], [320, 400], [1000, 700]]) {
    const { page, frame, problems, context } = await host(`fit-${width}x${height}.html`, '?preset=blobs&embed', width, height);
    assert.equal(await frame.evaluate(() => window.lab.engine()), 'main', 'a sandboxed frame trains on its own thread');
    // Steady state: after a few frames (banners may appear with the first measurement).
    await frame.evaluate(() => new Promise((r) => setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(r)), 300)));
    const layout = await frame.evaluate(() => {
      const doc = document.documentElement;
      const input = document.getElementById('input-view').getBoundingClientRect();
      const play = document.getElementById('embed-play').getBoundingClientRect();
      return {
        scrollW: doc.scrollWidth, scrollH: doc.scrollHeight, w: innerWidth, h: innerHeight,
        input: { left: input.left, top: input.top, right: input.right, bottom: input.bottom, width: input.width, height: input.height },
        play: { top: play.top, bottom: play.bottom, visible: play.width > 0 && play.bottom <= innerHeight },
        views: ['input', 'feature', 'charts'].filter((v) => !document.getElementById(`${v}-figure`).hidden),
      };
    });
    const what = `${width}×${height}`;
    assert.ok(layout.scrollH <= layout.h && layout.scrollW <= layout.w, `${what}: scrolls inside (${layout.scrollW}×${layout.scrollH} in ${layout.w}×${layout.h})`);
    const i = layout.input;
    assert.ok(i.left >= 0 && i.top >= 0 && i.right <= layout.w && i.bottom <= layout.h, `${what}: input view cut: ${JSON.stringify(i)}`);
    assert.ok(Math.min(i.width, i.height) >= 0.4 * Math.min(width, height), `${what}: input view ${i.width}×${i.height}`);
    assert.ok(layout.play.visible, `${what}: Play visible`);
    if (width >= 1000) assert.ok(layout.views.length >= 2, `${what}: room for more views: ${layout.views}`);
    await page.screenshot({ path: `${SHOTS}embed-${width}x${height}.png` });
    assert.deepEqual(problems, []);
    await context.close();
  }
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
  r = await send('subscribe');
  assert.ok(r.ok);
  await page.waitForTimeout(1200);
  r = await send('pause');
  assert.ok(r.ok);
  const events = await page.evaluate(() => window.events.filter((e) => e.event === 'metrics').map((e) => e.value.step));
  assert.ok(events.length >= 2 && events.length <= 6, `${events.length} metrics events in about 1.2 s`);
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
  // Garbage: not objects, wrong versions, huge, cyclic-free but weird — none throws, and the frame still answers.
  await page.evaluate(() => {
    const junk = [null, 0, 'play', [], { lastlayer: 2, id: 1, call: 'play' }, { lastlayer: 1 }, { lastlayer: 1, id: {}, call: 'play' },
      { lastlayer: 1, id: 'x'.repeat(5000), call: 'play' }, { lastlayer: 1, id: 7, call: { toString: 1 } }, { lastlayer: 1, id: 8, call: 'step', args: -4 },
      { lastlayer: 1, id: 9, call: 'setConfig', args: { data: { points: 'x'.repeat(300000) } } }, { lastlayer: 1, id: 10, call: 'step', args: 'ten' }];
    for (let i = 0; i < 200; i++) junk.push({ lastlayer: 1, id: 1000 + i, call: ['play', 'pause', 'step', 'config', 'x'][i % 5], args: [i, 'a', null, {}, [1]][i % 5] });
    for (const m of junk) window.raw(m);
  });
  await page.waitForTimeout(500);
  r = await send('pause');
  assert.ok(r.ok, 'the frame still answers');
  r = await send('metrics');
  assert.ok(r.ok);
  const errors = await page.evaluate(() => [8, 9, 10].map((id) => window.replies.get(id)).map((m) => m && m.ok));
  assert.deepEqual(errors, [false, false, false], 'bad arguments are answered ok: false');
  await page.screenshot({ path: `${SHOTS}embed-protocol.png` });
  assert.deepEqual(problems, []);
  await context.close();
});

test('the example post drives its embedded lab as the reader scrolls', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  watch(page, new URL(env.url).origin, problems);
  await page.goto(`${env.url}embed-example.html`);
  await page.waitForFunction(() => window.postState?.ready === true, null, { timeout: 30000 });
  const frame = await (await page.$('iframe')).contentFrame();
  const sections = await page.$$eval('[data-step]', (els) => els.map((e) => e.dataset.step));
  assert.ok(sections.length >= 4, `${sections.length} sections`);
  const seen = [];
  for (const s of sections) {
    await page.$eval(`[data-step="${s}"]`, (el) => el.scrollIntoView({ block: 'center' }));
    await page.waitForFunction((s) => window.postState.active === s, s, { timeout: 20000 });
    seen.push(await page.evaluate(() => window.postState.preset));
  }
  assert.ok(new Set(seen).size >= 2, `the post loads more than one experiment: ${seen}`);
  assert.ok(seen.includes('mse') || seen.includes('moons_overlap'), `it reaches a counter-example: ${seen}`);
  await page.screenshot({ path: `${SHOTS}embed-example.png`, fullPage: true });
  assert.equal(typeof (await frame.evaluate(() => typeof window.lab)), 'string');
  assert.deepEqual(problems, []);
  await context.close();
});
