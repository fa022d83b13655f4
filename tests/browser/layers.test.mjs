// Networks of layers on the page: the network editor on image data (each layer's output shape, convolutions
// and poolings added, a layer that cannot take its input refused with the run kept), a CSV that declares its
// image shape, and the first convolution's filters in the gallery, checked against run.json.
import assert from 'node:assert/strict';
import { test, before, after, launch, openLab, metrics, waitMessage, settledHash, SHOTS } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

const shapes = (page) => page.$$eval('.layer-shape', (els) => els.map((e) => e.textContent));
const hidden = (page) => page.evaluate(() => window.lab.config().network.hidden);

/** Output sides of a 3 × 3 "same" convolution and a 2 × 2 pooling, worked out by hand: 8 → 8 → 4 → 4 → 2. */
const CONV_DIGITS = ['→ 8 × 8 × 4', '→ 4 × 4 × 4', '→ 4 × 4 × 8', '→ 2 × 2 × 8', '→ 2'];

test('the network editor shows each layer\'s output, adds convolutions and poolings, and refuses what cannot be', async () => {
  const { page, problems, context } = await openLab(env, '?preset=digits_conv');
  await page.waitForFunction(() => window.lab.config().data.set === 'digits', null, { timeout: 20000 });
  await page.waitForFunction((n) => document.querySelectorAll('.layer-shape').length === n && document.querySelector('.layer-shape').textContent, CONV_DIGITS.length);
  assert.equal(await page.textContent('.layer-input'), 'input 8 × 8 × 1');
  assert.deepEqual(await shapes(page), CONV_DIGITS);
  assert.match(await page.textContent('.feature-layer'), /Layer 5 — feature space \(dense\)/);
  assert.equal(await page.isVisible('#add-conv'), true, 'image data: convolutions can be added');
  assert.equal(await page.evaluate(() => window.lab.step(40)), 40);
  const before = await hidden(page);
  // A 5 × 5 kernel on the 4 × 4 map of layer 3: refused, named, the run kept at its step.
  await page.selectOption('[aria-label="Kernel size of hidden layer 3"]', '5');
  await waitMessage(page, /hidden layer 3 \(conv\): its 5 × 5 kernel is larger than its 4 × 4 input/);
  assert.deepEqual(await hidden(page), before);
  assert.equal((await metrics(page)).step, 40, 'the run was kept');
  await page.waitForFunction(() => document.querySelector('[aria-label="Kernel size of hidden layer 3"]').value === '3');
  // A convolution added after the last pooling gets a kernel that fits its 2 × 2 map, twice the channels.
  await page.click('#add-conv');
  await page.waitForFunction(() => window.lab.config().network.hidden.length === 6);
  assert.deepEqual((await hidden(page))[4], { conv: { channels: 16, kernel: 2, stride: 1, padding: 'same' } });
  await page.waitForFunction(() => document.querySelectorAll('.layer-shape')[4]?.textContent === '→ 2 × 2 × 16');
  await page.click('button[aria-label="Remove hidden layer 5"]');
  // The rows are rebuilt from the new configuration: wait for them before typing into one.
  await page.waitForFunction(() => window.lab.config().network.hidden.length === 5 && document.querySelectorAll('.layer').length === 5);
  // More channels in the first convolution, a stride of 2, average pooling: the shapes follow.
  await page.fill('[aria-label="Channels of hidden layer 1"]', '6');
  await page.press('[aria-label="Channels of hidden layer 1"]', 'Enter');
  await page.waitForFunction(() => document.querySelectorAll('.layer-shape')[0]?.textContent === '→ 8 × 8 × 6');
  // Stride 2 in the first convolution would leave a 2 × 2 map for the second's 3 × 3 kernel: refused.
  await page.selectOption('[aria-label="Stride of hidden layer 1"]', '2');
  await waitMessage(page, /hidden layer 3 \(conv\): its 3 × 3 kernel is larger than its 2 × 2 input/);
  assert.equal((await hidden(page))[0].conv.stride, 1);
  await page.selectOption('[aria-label="Stride of hidden layer 3"]', '2');
  await page.waitForFunction(() => document.querySelectorAll('.layer-shape')[2]?.textContent === '→ 2 × 2 × 8');
  await page.selectOption('[aria-label="Pooling rule of hidden layer 2"]', 'avg');
  await page.waitForFunction(() => window.lab.config().network.hidden[1].pool === 'avg');
  await page.waitForFunction(() => document.querySelectorAll('.layer-shape')[3]?.textContent === '→ 1 × 1 × 8');
  assert.deepEqual(await shapes(page), ['→ 8 × 8 × 6', '→ 4 × 4 × 6', '→ 2 × 2 × 8', '→ 1 × 1 × 8', '→ 2']);
  // Pooling the 1 × 1 map is refused.
  await page.click('#add-pool');
  await waitMessage(page, /hidden layer 5 \(pool\): cannot pool a 1 × 1 map/);
  assert.equal((await hidden(page)).length, 5);
  await page.locator('#network-panel').screenshot({ path: `${SHOTS}network-editor.png` });
  // Flat data: no convolutions to add, and one written by hand is refused with the reason.
  await page.click('#preset-list button[data-name="blobs"]');
  await page.waitForFunction(() => window.lab.config().data.set === 'blobs');
  await page.waitForFunction(() => document.getElementById('add-conv').hidden && document.querySelector('.layer-input').textContent === 'input 2');
  const refused = await page.evaluate(() => window.lab.setConfig({ network: { hidden: [{ conv: { channels: 4, kernel: 1 } }, 2] } }).then(() => 'accepted', (e) => e.message));
  assert.match(refused, /hidden layer 1 \(conv\): a convolution needs an image, and its input is flat \(2 numbers\)/);
  assert.deepEqual(await hidden(page), [16, 2]);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a CSV that declares its image shape takes convolutions; the gallery shows the first layer\'s filters as run.json has them', async () => {
  const { page, problems, context } = await openLab(env);
  // 3 × 4 images with 2 channels: class 1 is bright in channel 2's left half.
  const rows = [];
  for (let i = 0; i < 60; i++) {
    const label = i % 2;
    const pixels = Array.from({ length: 24 }, (_, j) => {
      const channel = j >= 12 ? 1 : 0;
      const column = j % 4;
      return ((i * 7 + j * 5) % 11) / 10 + (label && channel === 1 && column < 2 ? 2 : 0);
    });
    rows.push([...pixels.map((v) => v.toFixed(2)), label].join(','));
  }
  const header = Array.from({ length: 24 }, (_, j) => `p${j}`).concat('label').join(',');
  const csv = `# image: 3x4x2\n${header}\n${rows.join('\n')}\n`;
  await page.setInputFiles('#import-csv', { name: 'tiny-images.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.waitForFunction(() => window.lab.config().data.set === 'table');
  await page.waitForFunction(() => document.querySelector('.layer-input')?.textContent === 'input 3 × 4 × 2');
  await page.click('#add-conv');
  await page.waitForFunction(() => window.lab.config().network.hidden.length === 3);
  assert.deepEqual((await hidden(page))[0], { conv: { channels: 8, kernel: 3, stride: 1, padding: 'same' } });
  assert.deepEqual(await shapes(page), ['→ 3 × 4 × 8', '→ 16', '→ 2']);
  assert.equal(await page.evaluate(() => window.lab.step(60)), 60);
  const run = JSON.parse(await page.evaluate(() => window.lab.exportRun()));
  assert.deepEqual(run.network.input_shape, [2, 3, 4]);
  assert.equal(run.network.layers[0].kind, 'conv');
  assert.deepEqual(run.network.layers[0].output_shape, [8, 3, 4]);
  // Back on the digits, the gallery's last row is the first convolution's filters: their norms as run.json's
  // weights give them (out channel × input channel 0 × 3 × 3), to the two digits the caption writes.
  await page.click('#preset-list button[data-name="digits_conv"]');
  await page.waitForFunction(() => window.lab.config().data.set === 'digits', null, { timeout: 20000 });
  await page.evaluate(() => window.lab.step(20));
  await page.waitForFunction(() => window.lab.gallery()?.extra?.some((r) => r.title.startsWith("The first convolution's filters")));
  const digits = JSON.parse(await page.evaluate(() => window.lab.exportRun()));
  const row = (await page.evaluate(() => window.lab.gallery())).extra.find((r) => r.title.startsWith("The first convolution's filters"));
  const weights = digits.network.layers[0].weights;
  assert.equal(row.tiles.length, weights.length);
  row.tiles.forEach((tile, o) => {
    const norm = Math.hypot(...weights[o][0].flat());
    assert.equal(tile.caption[0], `filter ${o + 1}`);
    const written = Number(tile.caption[1].replace('‖w‖ = ', ''));
    assert.ok(Math.abs(written - norm) <= 0.05 * norm, `filter ${o + 1}: caption ${tile.caption[1]}, run.json ${norm}`);
  });
  await settledHash(page, 'gallery-view');
  await page.locator('#gallery-view').screenshot({ path: `${SHOTS}gallery-filters.png` });
  assert.deepEqual(problems, []);
  await context.close();
});
