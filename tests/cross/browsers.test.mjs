// The page in Firefox and in Safari's engine (WebKitGTK), driven through WebDriver (webdriver.mjs): in each,
// the page boots with the worker engine and downloads the wasm once; presets give the command line's numbers
// to the bit, in the worker and in the main-thread fallback of a frame sandboxed with allow-scripts only; the
// embed's message protocol; the keyboard; the phone layout at a phone's viewport; an SVG export that parses;
// the recording in the format the browser records; recovery after the engine dies; axe-core in light and dark.
// Run alone: `node --test --test-concurrency=1 tests/cross/*.test.mjs` (LASTLAYER_BROWSERS=firefox or webkit
// for one browser); scripts/test runs it after the Chromium suite.
import { describe, test, before, after } from '../browser/harness.mjs';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Key } from 'selenium-webdriver';
import { BROWSERS, launch, cliRun, essence, HOST_JS } from './webdriver.mjs';

const AXE = readFileSync(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');


/** A host page with the lab in iframe #f (`sandbox`: its attribute, or null for none). */
function framed(env, query, width, height, sandbox = 'allow-scripts') {
  env.hostPage('host.js', HOST_JS);
  const attr = sandbox === null ? '' : ` sandbox="${sandbox}"`;
  return `<!doctype html><html lang="en"><title>host</title><link rel="icon" href="data:,"><style>body{margin:0}</style><iframe id="f"${attr} src="${env.url}${query}" width="${width}" height="${height}" style="border:0;display:block" title="Last Layer Lab"></iframe><script src="host.js"></script></html>`;
}

/** The run.json of the lab in the current document, reduced to what must equal the command line's. */
async function runEssence(env) {
  return essence(JSON.parse(await env.run(() => window.lab.exportRun())));
}

/** Captures the page's downloads (the lab saves files through an <a download> of a blob): from now on a click
 * on such a link saves nothing and the blob is kept in window.__saved as {name, type, bytes (base64)}. */
function captureDownloads() {
  if (window.__saved) return true;
  window.__saved = [];
  const blobs = new Map();
  const make = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (blob) => { const u = make(blob); blobs.set(u, blob); return u; };
  document.addEventListener('click', (e) => {
    const a = e.target;
    if (!(a instanceof HTMLAnchorElement) || !a.download) return;
    e.preventDefault();
    const blob = blobs.get(a.href);
    blob.arrayBuffer().then((buffer) => {
      let text = '';
      const bytes = new Uint8Array(buffer);
      for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      window.__saved.push({ name: a.download, type: blob.type, bytes: btoa(text) });
    });
  }, true);
  return true;
}

/** Presses and releases `key` on whatever has the focus. */
async function press(env, key) {
  await env.driver.actions().keyDown(key).keyUp(key).perform();
}

/** axe-core's serious and critical violations on the current document. */
async function axeSerious(env) {
  // Run as WebDriver's own script (the page's policy allows no eval).
  await env.driver.executeScript(`${AXE}\n;return typeof window.axe;`);
  return env.run(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
}

for (const name of BROWSERS) {
  describe(name, () => {
    let env;
    let hooks;
    before(async () => { env = await launch(name); });
    after(async () => { await env?.close(); await hooks?.close(); });

    test('boots with the worker engine, downloads the wasm once, and presets give the command line\'s numbers to the bit', async () => {
      env.forget();
      await env.open('?preset=moons');
      assert.equal(await env.run(() => window.lab.engine()), 'worker');
      for (const [preset, steps] of [['moons', 300], ['three_blobs', 200]]) {
        await env.run((p) => window.lab.loadPreset(p), preset);
        assert.equal(await env.run((n) => window.lab.step(n), steps), steps);
        assert.deepEqual(await runEssence(env), essence(cliRun(preset, steps)), `${name}, ${preset}: page vs command line`);
      }
      assert.equal(env.served('/pkg/lastlayer_bg.wasm'), 1, 'the page and its worker share one download');
      assert.deepEqual(await env.problems(), []);
    });

    test('in a frame sandboxed with allow-scripts only, the engine runs on the main thread with the same bits', async () => {
      env.forget();
      await env.openFramed('sandboxed.html', framed(env, '?preset=moons', 1000, 800));
      assert.equal(await env.run(() => window.lab.engine()), 'main', 'no worker in an opaque origin');
      assert.equal(await env.run(() => window.lab.step(300)), 300);
      assert.deepEqual(await runEssence(env), essence(cliRun('moons', 300)), `${name}: main-thread fallback vs command line`);
      assert.equal(env.served('/pkg/lastlayer_bg.wasm'), 1, 'the fallback instantiates the one download');
      assert.deepEqual(await env.problems(), []);
    });

    test('the embed\'s message protocol: calls, their answers, events, refusals', async () => {
      await env.driver.switchTo().defaultContent();
      await env.driver.get(env.hostPage('protocol.html', framed(env, '?embed', 720, 480)));
      await env.until(30000, 'the frame\'s ready event', () => window.events.some((e) => e.event === 'ready'));
      const send = (call, args) => env.run((c, a) => window.send(c, a), call, args ?? null);
      let r = await send('presets');
      assert.ok(r.ok && r.value.some((p) => p.name === 'moons'), JSON.stringify(r).slice(0, 200));
      assert.ok((await send('loadPreset', 'moons')).ok);
      assert.equal((await send('config')).value.data.set, 'moons');
      assert.deepEqual(await send('step', 50), { lastlayer: 1, id: 4, ok: true, value: 50 });
      r = await send('metrics');
      assert.ok(r.ok && r.value.step === 50 && r.value.svm_fitted_at_step === 50, JSON.stringify(r).slice(0, 200));
      assert.ok((await send('subscribe')).ok);
      assert.ok((await send('play')).ok);
      // Metrics events come while it plays, their steps rising.
      const steps = await env.until(20000, 'three metrics events', () => {
        const s = window.events.filter((e) => e.event === 'metrics').map((e) => e.value.step);
        return s.length >= 3 ? s : null;
      });
      assert.ok(steps.every((s, i) => i === 0 || s >= steps[i - 1]) && steps.at(-1) > 50, `steps ${steps}`);
      assert.ok((await send('pause')).ok);
      assert.ok((await send('unsubscribe')).ok);
      r = await send('setConfig', { svm: { c: -3 } });
      assert.deepEqual([r.ok, /svm\.c = -3 is out of range/.test(r.error)], [false, true], JSON.stringify(r));
      r = await send('launchMissiles');
      assert.deepEqual([r.ok, /unknown call 'launchMissiles'/.test(r.error)], [false, true]);
      r = await send('step', 1e12);
      assert.equal(r.ok, false);
      // Not for the lab: ignored (no reply); the frame still answers after them.
      await env.run(() => { for (const m of [null, 'play', { lastlayer: 2, id: 99, call: 'play' }, { lastlayer: 1 }]) window.raw(m); return true; });
      r = await send('metrics');
      assert.ok(r.ok && r.value.step > 50, JSON.stringify(r).slice(0, 120));
      assert.equal(await env.run(() => window.replies.has(99)), false);
      assert.equal(await env.run(() => document.getElementById('f').contentDocument), null, 'cross-origin: the host cannot reach in');
    });

    test('the keyboard: → steps, space plays and pauses, r resets', async () => {
      await env.open('?preset=blobs');
      await env.run(() => { document.activeElement?.blur(); return true; });
      await press(env, Key.ARROW_RIGHT);
      await env.until(10000, 'step 1', async () => (await window.lab.metrics()).step === 1);
      await press(env, Key.SPACE);
      await env.until(10000, 'playing', () => window.lab.isPlaying());
      await env.until(20000, 'steps while playing', async () => (await window.lab.metrics()).step > 20);
      await press(env, Key.SPACE);
      await env.until(10000, 'paused', () => !window.lab.isPlaying());
      const paused = await env.run(async () => (await window.lab.metrics()).step);
      assert.ok(paused > 20);
      await press(env, 'r');
      await env.until(10000, 'reset to step 0', async () => (await window.lab.metrics()).step === 0);
      assert.deepEqual(await env.problems(), []);
    });

    test('a phone\'s viewport (390 × 844): one column, nothing wider than the screen, the run bar stays on top and works', async () => {
      // A frame of the phone's size: its document lays out at exactly that viewport in every browser.
      await env.openFramed('phone.html', framed(env, '?preset=blobs', 390, 844, null));
      const layout = await env.run(() => {
        const r = (id) => { const b = document.getElementById(id).getBoundingClientRect(); return { left: b.left, top: b.top, right: b.right, bottom: b.bottom }; };
        return { w: innerWidth, scrollW: document.documentElement.scrollWidth, input: r('input-view'), feature: r('feature-view'), bar: r('embed-strip') };
      });
      assert.equal(layout.w, 390);
      assert.ok(layout.scrollW <= 390, `nothing wider than the phone: ${layout.scrollW} px`);
      assert.ok(layout.input.left >= 0 && layout.input.right <= 390 && layout.input.right - layout.input.left > 300, `the input view fills the width: ${JSON.stringify(layout.input)}`);
      assert.ok(layout.feature.top >= layout.input.bottom - 1, 'the feature view stands below the input view');
      // Scrolled to the bottom, the run bar is still at the top, and its Step button steps.
      const bar = await env.run(async () => {
        window.scrollTo(0, document.body.scrollHeight);
        await new Promise((r) => setTimeout(r, 300));
        const b = document.getElementById('embed-strip').getBoundingClientRect();
        return { top: b.top, height: b.height, scrolled: window.scrollY };
      });
      assert.ok(bar.scrolled > 1000 && Math.abs(bar.top) <= 1 && bar.height < 130, `the run bar on top: ${JSON.stringify(bar)}`);
      await env.driver.findElement({ css: '#embed-step' }).click();
      await env.until(10000, 'step 1 in the bar', () => /step 1\b/.test(document.getElementById('compact-step').textContent));
      assert.deepEqual(await env.problems(), []);
    });

    test('an SVG export parses and carries the run\'s config', async () => {
      await env.open('?preset=blobs');
      await env.run(captureDownloads);
      await env.run(() => window.lab.step(200));
      await env.driver.findElement({ css: 'button.svg[data-figure="input"]' }).click();
      const saved = await env.until(10000, 'the SVG saved', () => window.__saved[0] ?? null);
      assert.equal(saved.name, 'lastlayer-input-blobs-step200.svg');
      assert.equal(saved.type, 'image/svg+xml');
      const svg = await env.run((b64) => {
        const doc = new DOMParser().parseFromString(decodeURIComponent(escape(atob(b64))), 'image/svg+xml');
        return {
          error: doc.querySelector('parsererror')?.textContent ?? null,
          root: doc.documentElement.nodeName,
          metadata: JSON.parse(doc.getElementById('lastlayer-config')?.textContent ?? 'null'),
          title: doc.querySelector('title')?.textContent,
          circles: doc.querySelectorAll('circle').length,
        };
      }, saved.bytes);
      assert.equal(svg.error, null);
      assert.equal(svg.root, 'svg');
      assert.match(svg.title, /input — .* — step 200/);
      assert.deepEqual([svg.metadata.figure, svg.metadata.step], ['input', 200]);
      assert.deepEqual(svg.metadata.config, await env.run(() => window.lab.config()));
      assert.ok(svg.circles >= 100, `the points are drawn: ${svg.circles} circles`);
      assert.deepEqual(await env.problems(), []);
    });

    test('recording: the button records the views into the video format this browser writes, or says it got nothing', async (t) => {
      await env.open('?preset=blobs');
      await env.run(captureDownloads);
      const button = await env.run(() => {
        const b = document.getElementById('record');
        return { disabled: b.disabled, title: b.title };
      });
      // The format each engine offers: Firefox WebM; WebKit, as Safari, MP4.
      const want = { firefox: { ext: 'webm', format: 'WebM', magic: (b) => b.subarray(0, 4).toString('hex') === '1a45dfa3' },
        webkit: { ext: 'mp4', format: 'MP4', magic: (b) => b.subarray(4, 8).toString('latin1') === 'ftyp' } }[name];
      assert.equal(button.disabled, false);
      assert.match(button.title, new RegExp(`and save a ${want.format} video$`));
      await env.run(() => window.lab.play());
      await env.driver.findElement({ css: '#record' }).click();
      assert.equal(await env.run(() => document.getElementById('record').getAttribute('aria-pressed')), 'true');
      const from = await env.run(async () => (await window.lab.metrics()).step);
      await env.until(20000, 'the run goes on while recording', async (s) => (await window.lab.metrics()).step > s + 100, from);
      await env.driver.findElement({ css: '#record' }).click();
      const outcome = await env.until(20000, 'the recording saved, or a message that it is empty', () => {
        const box = document.getElementById('message');
        if (window.__saved[0]) return { saved: window.__saved[0] };
        return /recorded nothing/.test(box.textContent) && !box.hidden ? { message: box.textContent } : null;
      });
      await env.run(() => window.lab.pause());
      assert.equal(await env.run(() => document.getElementById('record').getAttribute('aria-pressed')), 'false');
      if (outcome.message) {
        // WebKitGTK accepts video/mp4 and its encoder may still hand back no bytes (as on the test machines:
        // see the README); Firefox always writes its WebM.
        assert.equal(name, 'webkit', `${name} recorded nothing`);
        t.diagnostic(`${name}: the engine's recorder gave an empty file; the page said: ${outcome.message}`);
        assert.deepEqual(await env.run(() => window.__saved.length), 0, 'no empty file saved');
        assert.deepEqual((await env.problems()).filter((p) => !/recorded nothing/.test(p)), []);
        return;
      }
      const { saved } = outcome;
      assert.match(saved.name, new RegExp(`^lastlayer-recording-from\\d+-blobs-step\\d+\\.${want.ext}$`));
      const bytes = Buffer.from(saved.bytes, 'base64');
      assert.ok(want.magic(bytes), `a ${want.ext} file: ${bytes.subarray(0, 12).toString('hex')}`);
      assert.ok(bytes.length > 5000, `frames in it: ${bytes.length} bytes`);
      assert.deepEqual(await env.problems(), []);
    });

    test('a panic in the core: the page says so, a new engine starts and restores the run to the bit', async () => {
      hooks = await launch(name, 'site-bench');
      for (const [file, sandbox, mode] of [['worker.html', null, 'worker'], ['main.html', 'allow-scripts', 'main']]) {
        await hooks.openFramed(file, framed(hooks, '?preset=moons', 1000, 800, sandbox));
        assert.equal(await hooks.run(() => window.lab.engine()), mode);
        assert.equal(await hooks.run(() => window.lab.step(120)), 120);
        const before = await runEssence(hooks);
        const error = await hooks.run(() => window.lab.request('crash').then(() => null, (e) => e.message));
        assert.match(error ?? '', /The engine stopped: /, `${mode}: the request that broke the core fails with a message`);
        const said = await hooks.until(20000, 'the restore', () => {
          const t = document.getElementById('message').textContent;
          return /restored to step/.test(t) ? t : null;
        });
        assert.match(said, /step 120\b/);
        assert.equal(await hooks.run(() => window.lab.engine()), mode);
        assert.deepEqual(await runEssence(hooks), before, `${mode}: the restored run has the numbers of the run before the panic`);
        const unexpected = (await hooks.problems()).filter((p) => !/asked to crash|unreachable|RuntimeError|engine stopped|restored/i.test(p));
        assert.deepEqual(unexpected, []);
      }
      await hooks.close();
      hooks = null;
    });

    test('axe-core: no serious or critical violation, light and dark', async () => {
      await env.open('?preset=blobs');
      await env.run(() => window.lab.step(50));
      assert.deepEqual(await axeSerious(env), [], 'light');
      await env.driver.findElement({ css: '#theme' }).click();
      assert.equal(await env.run(() => document.documentElement.dataset.theme), 'dark');
      await env.run(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true)))));
      assert.deepEqual(await axeSerious(env), [], 'dark');
      assert.deepEqual(await env.problems(), []);
    });
  });
}
