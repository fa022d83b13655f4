// Real data in the page: a wide CSV in its own units with string labels (standardised by default, its
// features selectable for the input view), a stalled run named, and the digits with their gallery.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openLab, settledHash, metrics, SHOTS } from './harness.mjs';

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

test('the digits: loaded on demand, ten classes through a narrow last layer, the gallery drawn', async () => {
  const { page, problems, context } = await openLab(env);
  const fetched = [];
  page.on('request', (r) => fetched.push(r.url()));
  await page.click('#preset-list button[data-name="digits"]');
  await page.waitForFunction(() => window.lab.config().data.set === 'digits', null, { timeout: 20000 });
  assert.ok(fetched.some((u) => u.endsWith('data/digits.csv.gz')), 'the digits are fetched when asked for');
  await page.evaluate(() => window.lab.step(200));
  const m = await metrics(page);
  assert.deepEqual([m.classes, m.input_width, m.train_points + m.test_points], [10, 64, 1797]);
  assert.ok(m.feature_width <= 3, `a narrow last layer: ${m.feature_width}`);
  await page.waitForFunction(() => !document.getElementById('gallery-figure').hidden);
  await settledHash(page, 'gallery-view');
  await page.locator('#gallery-view').screenshot({ path: `${SHOTS}digits-gallery.png` });
  await page.locator('#feature-view').screenshot({ path: `${SHOTS}digits-features.png` });
  assert.match(await page.textContent('#gallery-figure figcaption'), /Alpaydin & Kaynak/);
  assert.deepEqual(problems, []);
  await context.close();
});
