// The first page: loads the wasm, draws the chosen data set crisply, redraws when a control changes, and stays
// inside its origin with no console errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openLab, colourCounts, canvasHash, SHOTS } from './harness.mjs';

// Okabe–Ito blue and orange: the light theme's colours of classes 0 and 1.
const CLASS0 = [0, 114, 178];
const CLASS1 = [230, 159, 0];
let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

test('page loads and draws both classes with no console errors or outside requests', async () => {
  const { page, problems, context } = await openLab(env);
  const [blue, orange] = await colourCounts(page, 'input-view', [CLASS0, CLASS1], 30);
  assert.ok(blue > 200, `class 0 colour should cover many pixels, got ${blue}`);
  assert.ok(orange > 200, `class 1 colour should cover many pixels, got ${orange}`);
  await page.screenshot({ path: `${SHOTS}foundation-default.png` });
  assert.deepEqual(problems, []);
  await context.close();
});

test('the canvas is drawn at device resolution on a high-DPI screen', async () => {
  const { page, problems, context } = await openLab(env, '', { width: 900, height: 800 }, 2);
  const size = await page.evaluate(() => {
    const c = document.getElementById('input-view');
    return { w: c.width, css: c.getBoundingClientRect().width };
  });
  assert.ok(Math.abs(size.w - 2 * size.css) <= 1, `canvas ${size.w}px for ${size.css} CSS px at scale 2`);
  await page.screenshot({ path: `${SHOTS}foundation-hidpi.png` });
  assert.deepEqual(problems, []);
  await context.close();
});

test('changing the data set and the seed changes the picture', async () => {
  const { page, problems, context } = await openLab(env);
  const first = await canvasHash(page, 'input-view');
  await page.selectOption('#data-set', 'moons');
  await page.waitForFunction(() => window.lab.config().data.set === 'moons');
  await page.evaluate(() => new Promise(requestAnimationFrame));
  const moons = await canvasHash(page, 'input-view');
  assert.notEqual(moons, first, 'moons should look different from blobs');
  await page.fill('#data-seed', '42');
  await page.waitForFunction(() => window.lab.config().data.seed === 42);
  await page.evaluate(() => new Promise(requestAnimationFrame));
  assert.notEqual(await canvasHash(page, 'input-view'), moons, 'a new seed should move the points');
  await page.screenshot({ path: `${SHOTS}foundation-moons.png` });
  // Every data set draws.
  for (const set of await page.$$eval('#data-set option', (os) => os.map((o) => o.value))) {
    if (set === 'custom') continue;
    await page.selectOption('#data-set', set);
    await page.waitForFunction((s) => window.lab.config().data.set === s, set);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('a bad value is refused with a message and the previous state survives', async () => {
  const { page, problems, context } = await openLab(env);
  const before = await page.evaluate(() => window.lab.config());
  const error = await page.evaluate(() => { try { window.lab.setConfig({ data: { noise: -3 } }); return null; } catch (e) { return e.message; } });
  assert.ok(error, 'setConfig with a negative noise must throw');
  assert.match(await page.textContent('#message'), /noise = -3 is out of range/);
  assert.deepEqual(await page.evaluate(() => window.lab.config()), before);
  assert.deepEqual(problems, []);
  await context.close();
});
