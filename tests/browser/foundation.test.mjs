// The page's foundation: loads the wasm, draws crisply, redraws when the data change, stays in its origin.
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
  await page.screenshot({ path: `${SHOTS}page-default.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('the canvases are drawn at device resolution on a high-DPI screen', async () => {
  const { page, problems, context } = await openLab(env, '', { width: 900, height: 800 }, 2);
  for (const id of ['input-view', 'feature-view', 'charts-view']) {
    const size = await page.evaluate((i) => {
      const c = document.getElementById(i);
      // The drawing buffer matches the content box (inside the border) at device resolution.
      return { w: c.width, css: c.clientWidth };
    }, id);
    assert.ok(Math.abs(size.w - 2 * size.css) <= 1, `${id}: ${size.w}px for ${size.css} CSS px at scale 2`);
  }
  await page.screenshot({ path: `${SHOTS}page-hidpi.png` });
  assert.deepEqual(problems, []);
  await context.close();
});

test('changing the data set and the seed changes the picture; every data set draws', async () => {
  const { page, problems, context } = await openLab(env);
  const first = await canvasHash(page, 'input-view');
  await page.selectOption('#data-set', 'moons');
  await page.waitForFunction(() => window.lab.config().data.set === 'moons');
  await page.evaluate(() => new Promise(requestAnimationFrame));
  const moons = await canvasHash(page, 'input-view');
  assert.notEqual(moons, first, 'moons should look different from blobs');
  await page.fill('#data-controls [name=seed]', '42');
  await page.press('#data-controls [name=seed]', 'Enter');
  await page.waitForFunction(() => window.lab.config().data.seed === 42);
  await page.evaluate(() => new Promise(requestAnimationFrame));
  assert.notEqual(await canvasHash(page, 'input-view'), moons, 'a new seed should move the points');
  for (const set of await page.$$eval('#data-set option', (os) => os.map((o) => o.value))) {
    await page.selectOption('#data-set', set);
    await page.waitForFunction((s) => window.lab.config().data.set === s, set);
    await page.evaluate(() => new Promise(requestAnimationFrame));
  }
  assert.deepEqual(problems, []);
  await context.close();
});
