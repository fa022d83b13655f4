// What a reader meets first: the views' titles fit their canvases at every width (a phone, the smallest embed the
// Share dialog promises, a blog column — a title wider than its canvas loses letters at both ends: "eature space
// (last hidden layer, width 2) — step 46,68"), and before training the page does not claim the theorem fails.
import assert from 'node:assert/strict';
import { test, before, after, launch, openLab } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

/** The title band of a canvas (its top 30 CSS pixels): how many pixels differ from the background, and the
 * leftmost and rightmost of them. */
const titleInk = (page, id) => page.evaluate(async (id) => {
  // After the layout has settled (a banner that came or went resizes the views, and a resized canvas is blank
  // until its next drawing), drawn and read in one task, so that no resize can come between.
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  window.lab.redraw();
  const c = document.getElementById(id);
  const scale = c.width / c.getBoundingClientRect().width;
  const rows = Math.round(30 * scale);
  const d = c.getContext('2d').getImageData(0, 0, c.width, rows).data;
  const bg = [d[0], d[1], d[2]];
  let count = 0;
  let left = c.width;
  let right = -1;
  for (let y = Math.round(4 * scale); y < rows; y++) {
    for (let x = 0; x < c.width; x++) {
      const k = 4 * (y * c.width + x);
      if (Math.max(Math.abs(d[k] - bg[0]), Math.abs(d[k + 1] - bg[1]), Math.abs(d[k + 2] - bg[2])) > 80) {
        count++;
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  return { count, left, right, width: c.width };
}, id);

test('the input and feature views\' titles fit their canvases on a phone, in small embeds and at device scale 2', async () => {
  // [link, frame, device scale, steps (a long step number makes a long title), the views to check]
  const cases = [
    ['?preset=blobs', { width: 390, height: 844 }, 2, 46680, ['input', 'feature']],
    ['?preset=blobs&embed', { width: 320, height: 400 }, 1, 46680, ['input', 'feature']],
    ['?preset=digits_012&embed', { width: 420, height: 500 }, 2, 2000, ['input', 'feature']],
    ['?preset=blobs&embed&view=feature', { width: 600, height: 400 }, 1, 46680, ['feature']],
  ];
  for (const [query, viewport, scale, steps, views] of cases) {
    const { page, problems, context } = await openLab(env, query, viewport, scale);
    try {
      await page.evaluate((n) => window.lab.step(n), steps);
      for (const view of views) {
        const id = `${view}-view`;
        // An embed too narrow for both shows one at a time: the other is a tap away.
        if (!(await page.locator(`#${id}`).isVisible())) await page.click(`#embed-views button[data-view=${view}]`);
        const ink = await titleInk(page, id);
        const what = `${id} at ${viewport.width}×${viewport.height}, scale ${scale} (${query})`;
        assert.ok(ink.count > 40 * scale, `${what}: a title is drawn (${ink.count} pixels)`);
        assert.ok(ink.left >= 2 * scale && ink.right <= ink.width - 1 - 2 * scale, `${what}: the title inside the canvas: ${JSON.stringify(ink)}`);
      }
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }
});

test('before training the page says the features are not separable yet, not that the theorem does not apply', async () => {
  // The moons' features of a fresh network are not separable; training separates them by step 10 000.
  const { page, problems, context } = await openLab(env, '?preset=moons');
  try {
    const banners = () => page.locator('#banners').innerText();
    const m = await page.evaluate(() => window.lab.metrics());
    assert.ok(m.step === 0 && m.separable === false, JSON.stringify({ step: m.step, separable: m.separable }));
    assert.match(await banners(), /Not separable yet: before training/);
    assert.doesNotMatch(await banners(), /theorem does not apply/);
    // Once training separates them, neither.
    await page.evaluate(() => window.lab.step(10000));
    await page.evaluate(() => window.lab.redraw());
    assert.equal((await page.evaluate(() => window.lab.metrics())).separable, true);
    assert.doesNotMatch(await banners(), /Not separable yet|theorem does not apply/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
