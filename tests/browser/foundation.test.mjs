// The page's foundation: loads the wasm once, trains in a worker, draws crisply at device resolution, redraws
// when the data change, draws every data set, stays in its origin.
import assert from 'node:assert/strict';
import { test, before, after, launch, openLab, colorCounts, canvasHash, settledHash, frame, SHOTS } from './harness.mjs';

// Okabe–Ito blue and orange: the light theme's colours of classes 0 and 1.
const CLASS0 = [0, 114, 178];
const CLASS1 = [230, 159, 0];
let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

test('page loads, trains in a worker, downloads the wasm once, and draws both classes', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const wasmLoads = [];
  page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasmLoads.push(r.url()); });
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  await page.goto(env.url);
  await page.evaluate(() => window.lab.ready);
  assert.equal(await page.evaluate(() => window.lab.engine()), 'worker');
  assert.equal(wasmLoads.length, 1, `the wasm was requested ${wasmLoads.length} times: ${wasmLoads}`);
  await settledHash(page, 'input-view');
  const [blue, orange] = await colorCounts(page, 'input-view', [CLASS0, CLASS1], 30);
  assert.ok(blue > 200, `class 0 colour should cover many pixels, got ${blue}`);
  assert.ok(orange > 200, `class 1 colour should cover many pixels, got ${orange}`);
  assert.match(await page.textContent('#engine-mode'), /Web Worker/);
  await page.screenshot({ path: `${SHOTS}page-default.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('the canvases are drawn at device resolution on a high-DPI screen', async () => {
  for (const width of [900, 1003, 777]) {
    const { page, problems, context } = await openLab(env, '', { width, height: 800 }, 2);
    for (const id of ['input-view', 'feature-view', 'charts-view']) {
      await settledHash(page, id);
      const size = await page.evaluate((i) => {
        const c = document.getElementById(i);
        const s = getComputedStyle(c);
        const r = c.getBoundingClientRect();
        // The content box (inside the border) in CSS pixels, fractional.
        const css = r.width - parseFloat(s.borderLeftWidth) - parseFloat(s.borderRightWidth);
        const cssH = r.height - parseFloat(s.borderTopWidth) - parseFloat(s.borderBottomWidth);
        return { w: c.width, h: c.height, css, cssH, dpr: window.devicePixelRatio };
      }, id);
      assert.equal(size.dpr, 2);
      assert.ok(Math.abs(size.w - 2 * size.css) <= 1, `${id} at ${width}px: ${size.w}px for ${size.css} CSS px at scale 2`);
      assert.ok(Math.abs(size.h - 2 * size.cssH) <= 1, `${id} at ${width}px: ${size.h}px high for ${size.cssH} CSS px`);
    }
    if (width === 900) await page.screenshot({ path: `${SHOTS}page-hidpi.png` });
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test('on a 3x phone the plane views train at 2 device pixels per CSS pixel and are drawn at 3 when paused', async () => {
  const { page, problems, context } = await openLab(env, '?preset=blobs', { width: 390, height: 844 }, 3, { isMobile: true, hasTouch: true });
  // The buffer's scale against the content box, and how much of each class colour the view shows.
  const seen = () => page.evaluate(() => {
    const c = document.getElementById('input-view');
    const s = getComputedStyle(c);
    const css = c.getBoundingClientRect().width - parseFloat(s.borderLeftWidth) - parseFloat(s.borderRightWidth);
    return Math.round((10 * c.width) / css) / 10;
  });
  await settledHash(page, 'input-view');
  assert.equal(await seen(), 3, 'paused: drawn at the screen\'s resolution');
  const still = await colorCounts(page, 'input-view', [CLASS0, CLASS1], 30);
  await page.evaluate(() => window.lab.play());
  await page.waitForFunction(() => {
    const c = document.getElementById('input-view');
    return c.width < 2.5 * c.getBoundingClientRect().width;
  });
  assert.equal(await seen(), 2, 'training: two device pixels per CSS pixel');
  // The same picture at 2/3 of the pixels in each direction: the classes' colours cover about 4/9 as many.
  const moving = await colorCounts(page, 'input-view', [CLASS0, CLASS1], 30);
  for (const k of [0, 1]) {
    const share = moving[k] / still[k];
    assert.ok(share > 0.3 && share < 0.6, `class ${k}: ${moving[k]} pixels while training, ${still[k]} paused`);
  }
  await page.evaluate(() => window.lab.pause());
  await page.waitForFunction(() => {
    const c = document.getElementById('input-view');
    return c.width > 2.5 * c.getBoundingClientRect().width;
  });
  assert.equal(await seen(), 3, 'paused again: the full resolution is back');
  assert.deepEqual(problems, []);
  await context.close();
});

test('changing the data set and the seed changes the picture; every data set draws its classes', async () => {
  const { page, problems, context } = await openLab(env);
  const first = await settledHash(page, 'input-view');
  await page.selectOption('#data-set', 'moons');
  await page.waitForFunction(() => window.lab.config().data.set === 'moons');
  const moons = await settledHash(page, 'input-view');
  assert.notEqual(moons, first, 'moons should look different from blobs');
  await page.fill('#data-controls [name=seed]', '42');
  await page.press('#data-controls [name=seed]', 'Enter');
  await page.waitForFunction(() => window.lab.config().data.seed === 42);
  assert.notEqual(await settledHash(page, 'input-view'), moons, 'a new seed should move the points');
  const seen = new Set();
  const sets = await page.$$eval('#data-set option', (os) => os.filter((o) => !o.hidden).map((o) => o.value));
  for (const set of sets.filter((s) => s !== 'custom' && s !== 'digits')) {
    await page.selectOption('#data-set', set);
    await page.waitForFunction((s) => window.lab.config().data.set === s, set);
    const m = await page.evaluate(() => window.lab.metrics());
    const hash = await settledHash(page, 'input-view');
    assert.ok(!seen.has(hash), `${set} draws a picture of its own`);
    seen.add(hash);
    const [blue, orange] = await colorCounts(page, 'input-view', [CLASS0, CLASS1], 30);
    assert.ok(blue > 100 && orange > 100, `${set}: both first classes are drawn (${blue}, ${orange})`);
    assert.ok(m.classes >= 2 && m.train_points > 0, `${set}: ${m.classes} classes, ${m.train_points} points`);
  }
  await frame(page);
  assert.deepEqual(problems, []);
  await context.close();
});
