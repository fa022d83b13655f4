// Real data in the page: a wide CSV in its own units with string labels (standardised by default, its
// features selectable for the input view), a stalled run named, and the digits with their gallery.
import assert from 'node:assert/strict';
import { test, before, after, launch, openLab, settledHash, metrics, canvasHash, SHOTS } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

/** A table of five features in thousands, two classes named by words, the label in a middle column. */
function wideCsv() {
  let seed = 7;
  const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  let text = 'f1,f2,label,f3,f4,f5\n';
  for (let i = 0; i < 160; i++) {
    const c = i % 2;
    const x = [0, 1, 2, 3, 4].map((j) => 5000 + 1000 * gauss() + (j < 2 && c ? 4000 : 0));
    text += `${x[0]},${x[1]},${c ? 'tall' : 'short'},${x[2]},${x[3]},${x[4]}\n`;
  }
  return text;
}

test('a wide CSV in raw units trains standardised, draws through a plane, and its features can be chosen', async () => {
  const { page, problems, context } = await openLab(env);
  await page.setInputFiles('#import-csv', { name: 'wide.csv', mimeType: 'text/csv', buffer: Buffer.from(wideCsv()) });
  await page.waitForFunction(() => document.getElementById('message').textContent.includes('Imported 160 points'));
  const c = await page.evaluate(() => window.lab.config());
  assert.equal(c.data.set, 'table');
  assert.equal(c.data.standardize, true);
  assert.equal(await page.isChecked('#data-controls [name=standardize]'), true);
  let m = await metrics(page);
  assert.deepEqual([m.input_width, m.classes, m.class_names], [5, 2, ['short', 'tall']]);
  await page.evaluate(() => window.lab.step(2000));
  m = await metrics(page);
  assert.equal(m.acc_train, 1, 'standardised, the table is learnt');
  await page.click('#view-panel summary');
  assert.equal(await page.isVisible('#input-projection'), true, 'wide inputs offer a projection');
  const pca = await settledHash(page, 'input-view');
  await page.selectOption('#input-projection', 'features');
  await page.selectOption('#feature-x', '0');
  await page.selectOption('#feature-y', '1');
  assert.notEqual(await settledHash(page, 'input-view'), pca, 'two chosen features draw another plane');
  await page.locator('#input-view').screenshot({ path: `${SHOTS}wide-features.png` });
  // The same table fed raw stalls, and the page names the likely cause.
  await page.uncheck('#data-controls [name=standardize]');
  await page.waitForFunction(() => !window.lab.config().data.standardize);
  await page.evaluate(() => window.lab.step(1000));
  await page.waitForFunction(() => /Training has stalled.*raw units/.test(document.getElementById('banners').textContent), null, { timeout: 20000 });
  await page.locator('#banners').screenshot({ path: `${SHOTS}stalled.png` });
  // Its link says the rows are not in it.
  await page.click('#share');
  assert.equal(await page.isVisible('#share-note'), true);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the digits: loaded on demand, ten classes through a 3-wide last layer, the gallery shows the SVM\'s support vectors and the hardest digits', async () => {
  const { page, problems, context } = await openLab(env);
  const fetched = [];
  page.on('request', (r) => fetched.push(r.url()));
  await page.click('#preset-list button[data-name="digits"]');
  await page.waitForFunction(() => window.lab.config().data.set === 'digits', null, { timeout: 20000 });
  assert.ok(fetched.some((u) => u.endsWith('data/digits.csv.gz')), 'the digits are fetched when asked for');
  await page.evaluate(() => window.lab.step(200));
  const m = await metrics(page);
  assert.deepEqual([m.classes, m.input_width, m.train_points + m.test_points], [10, 64, 1797]);
  assert.equal(m.feature_width, 3, 'a last hidden layer 3 wide');
  assert.equal(m.class_names.join(''), '0123456789');
  await page.waitForFunction(() => !document.getElementById('gallery-figure').hidden);
  // The readout writes the measured accuracy.
  await page.waitForFunction((a) => document.querySelector('.metric[data-key="acc_train"] .value').textContent === a, `${(100 * m.acc_train).toFixed(1)}%`);
  // The gallery's examples: support vectors of the SVM in run.json, the network's own predictions, and the
  // highest-loss digits in order of their weight.
  const run = JSON.parse(await page.evaluate(() => window.lab.exportRun()));
  const g = await page.evaluate(() => window.lab.gallery());
  assert.equal(g.step, run.final.step);
  const support = new Set(run.svm.regularized_bias.support);
  assert.ok(g.support.length >= 1 && g.support.length <= 8, `${g.support.length} support vectors shown`);
  for (const tile of g.support) assert.ok(support.has(tile.index), `tile ${tile.index} is a support vector`);
  assert.equal(g.hardest.length, 8);
  for (let i = 1; i < g.hardest.length; i++) assert.ok(g.hardest[i - 1].weight >= g.hardest[i].weight, 'hardest first');
  const last = run.network.layers[run.network.layers.length - 1];
  for (const tile of [...g.support, ...g.hardest]) {
    const h = run.train.features[tile.index];
    const out = last.biases.map((b, k) => b + h.reduce((s, v, j) => s + v * last.weights[j][k], 0));
    const predicted = out.indexOf(Math.max(...out));
    assert.equal(tile.net, run.data.class_names[predicted], `tile ${tile.index}: the network's prediction`);
    assert.equal(tile.label, run.data.class_names[run.train.labels[tile.index]], `tile ${tile.index}: its label`);
  }
  // Drawn: the gallery canvas holds dark digit strokes, not a blank area.
  await settledHash(page, 'gallery-view');
  const ink = await page.evaluate(() => {
    const c = document.getElementById('gallery-view');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] < 200) n++;
    return n;
  });
  assert.ok(ink > 2000, `${ink} dark pixels in the gallery`);
  await page.locator('#gallery-view').screenshot({ path: `${SHOTS}digits-gallery.png` });
  await page.locator('#feature-view').screenshot({ path: `${SHOTS}digits-features.png` });
  assert.match(await page.textContent('#gallery-figure figcaption'), /Alpaydin & Kaynak/);
  assert.deepEqual(problems, []);
  await context.close();
});

/** A table of `width` feature columns and a label. */
function columns(width) {
  const header = Array.from({ length: width }, (_, j) => `c${j}`).concat('label').join(',');
  const rows = Array.from({ length: 6 }, (_, i) => Array.from({ length: width }, (_, j) => ((i * 7 + j) % 5) + i % 2).concat(i % 2).join(','));
  return `${header}\n${rows.join('\n')}\n`;
}

test('the digits cannot be fetched: the page says from where and why, and the run before is kept', async () => {
  const { page, problems, context } = await openLab(env);
  await context.route('**/data/digits.csv.gz', (route) => route.fulfill({ status: 404, body: 'gone' }));
  const config = await page.evaluate(() => window.lab.config());
  await page.click('#preset-list button[data-name="digits"]');
  await page.waitForFunction(() => document.getElementById('message').textContent.includes('could not be loaded'), null, { timeout: 20000 });
  assert.match(await page.textContent('#message'), /the data could not be loaded from data\/digits\.csv\.gz \(HTTP 404\)/);
  assert.deepEqual(await page.evaluate(() => window.lab.config()), config, 'the run before is kept');
  assert.equal(await page.evaluate(() => window.lab.step(10)), 10, 'and still trains');
  // The refused download is the only problem the page logged.
  assert.deepEqual(problems.filter((p) => !p.includes('digits.csv.gz')), []);
  await context.close();
});

test('a CSV at the width limit: 1 024 feature columns are read, 1 025 refused with a message and nothing changed', async () => {
  const { page, problems, context } = await openLab(env);
  await page.setInputFiles('#import-csv', { name: 'wide1024.csv', mimeType: 'text/csv', buffer: Buffer.from(columns(1024)) });
  await page.waitForFunction(() => document.getElementById('message').textContent.includes('Imported 6 points from wide1024.csv'));
  assert.equal((await metrics(page)).input_width, 1024);
  const config = await page.evaluate(() => window.lab.config());
  const picture = await canvasHash(page, 'input-view');
  await page.setInputFiles('#import-csv', { name: 'wide1025.csv', mimeType: 'text/csv', buffer: Buffer.from(columns(1025)) });
  await page.waitForFunction(() => document.getElementById('message').textContent.includes('wide1025.csv'));
  assert.equal(await page.textContent('#message'), 'wide1025.csv: line 1: 1025 feature columns: at most 1024 are allowed. Nothing was changed');
  assert.deepEqual(await page.evaluate(() => window.lab.config()), config);
  assert.equal((await metrics(page)).input_width, 1024);
  assert.equal(await canvasHash(page, 'input-view'), picture);
  assert.deepEqual(problems, []);
  await context.close();
});
