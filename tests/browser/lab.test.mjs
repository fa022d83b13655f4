// The lab page in Chromium: every control changes what it should, every preset loads and runs, the blobs
// preset converges on screen, keyboard and touch work, bad input is refused with a message, and embedding
// works in a sandboxed iframe. Screenshots of each view land in tests/browser/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { launch, openLab, colourCounts, canvasHash, SHOTS } from './harness.mjs';

// Light theme: text/network boundary, SVM line (vermillion), class colours.
const NETWORK = [28, 30, 36];
const SVM = [213, 94, 0];
let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

const frame = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

test('every control changes the config it should, and the picture', async () => {
  const { page, problems, context } = await openLab(env);
  // [selector, how to set it, value, path in lab.config(), expected]
  const cases = [
    ['#data-controls [name=samples]', 'fill', '300', ['data', 'samples'], 300],
    ['#data-controls [name=noise]', 'range', '0.05', ['data', 'noise'], 0.05],
    ['#data-controls [name=balance]', 'range', '0.7', ['data', 'balance'], 0.7],
    ['#data-controls [name=test_fraction]', 'range', '0.4', ['data', 'test_fraction'], 0.4],
    ['#data-controls [name=seed]', 'fill', '7', ['data', 'seed'], 7],
    ['[data-group=network][name=activation]', 'select', 'relu', ['network', 'activation'], 'relu'],
    ['[data-group=network][name=init]', 'select', 'he', ['network', 'init'], 'he'],
    ['[data-group=network][name=seed]', 'fill', '5', ['network', 'seed'], 5],
    ['[data-group=train][name=loss]', 'select', 'mse', ['train', 'loss'], 'mse'],
    ['[data-group=train][name=optimizer]', 'select', 'adam', ['train', 'optimizer'], 'adam'],
    ['[data-group=train][name=batch_size]', 'fill', '16', ['train', 'batch_size'], 16],
    ['[data-group=train][name=weight_decay]', 'fill', '0.001', ['train', 'weight_decay'], 0.001],
    ['[data-group=svm][name=loss]', 'select', 'squared_hinge', ['svm', 'loss'], 'squared_hinge'],
    ['[data-group=svm][name=multiclass]', 'select', 'one_vs_rest', ['svm', 'multiclass'], 'one_vs_rest'],
    ['[data-group=svm][name=refit_every]', 'fill', '3', ['svm', 'refit_every'], 3],
  ];
  for (const [selector, how, value, path, expected] of cases) {
    const before = await canvasHash(page, 'input-view');
    if (how === 'fill') {
      await page.fill(selector, value);
      await page.press(selector, 'Enter');
      await page.locator(selector).blur();
    } else if (how === 'select') {
      await page.selectOption(selector, value);
    } else {
      await page.$eval(selector, (el, v) => { el.value = v; el.dispatchEvent(new Event('input', { bubbles: true })); }, value);
    }
    await frame(page);
    const got = await page.evaluate((p) => p.reduce((o, k) => o[k], window.lab.config()), path);
    assert.ok(typeof expected === 'number' ? Math.abs(got - expected) < 1e-9 : got === expected, `${selector}: config ${path.join('.')} = ${got}, expected ${expected}`);
    // Data and network changes restart the run and redraw; check the picture changed for those.
    if (path[0] === 'data' || path[0] === 'network') {
      assert.notEqual(await canvasHash(page, 'input-view'), before, `${selector} should change the input view`);
    }
  }
  // Log sliders: learning rate and C.
  await page.$eval('[data-group=train][name=learning_rate]', (el) => { el.value = '0.6'; el.dispatchEvent(new Event('input', { bubbles: true })); });
  const lr = await page.evaluate(() => window.lab.config().train.learning_rate);
  assert.ok(Math.abs(lr - 10 ** (-4 + 0.6 * 5)) < 1e-9, `learning rate ${lr}`);
  await page.$eval('[data-group=svm][name=c]', (el) => { el.value = '0.5'; el.dispatchEvent(new Event('input', { bubbles: true })); });
  assert.ok(Math.abs((await page.evaluate(() => window.lab.config().svm.c)) - 100) < 1e-9);
  // The layers editor: add a layer, change a width, remove a layer; the last is marked as the feature space.
  await page.click('#add-layer');
  assert.deepEqual(await page.evaluate(() => window.lab.config().network.hidden), [16, 8, 2]);
  assert.match(await page.textContent('.feature-layer'), /Layer 3 — feature space/);
  await page.fill('[data-layer="2"]', '3');
  await page.press('[data-layer="2"]', 'Enter');
  await page.waitForFunction(() => window.lab.config().network.hidden[2] === 3);
  await page.click('button[aria-label="Remove hidden layer 1"]');
  assert.deepEqual(await page.evaluate(() => window.lab.config().network.hidden), [8, 3]);
  // A feature space wider than 2 is projected; both projections draw.
  await frame(page);
  const projected = await canvasHash(page, 'feature-view');
  await page.click('#view-panel summary');
  await page.selectOption('#projection', 'pca');
  await frame(page);
  assert.notEqual(await canvasHash(page, 'feature-view'), projected, 'PCA projection draws differently');
  // Test points toggle.
  const withTest = await canvasHash(page, 'input-view');
  await page.uncheck('#show-test');
  await frame(page);
  assert.notEqual(await canvasHash(page, 'input-view'), withTest, 'hiding test points changes the picture');
  assert.deepEqual(problems, []);
  await context.close();
});

test('each preset loads and runs, from its button and from window.lab', async () => {
  const { page, problems, context } = await openLab(env);
  const presets = await page.evaluate(() => window.lab.presets());
  assert.ok(presets.length >= 11, `${presets.length} presets`);
  for (const p of presets) {
    assert.ok(p.title && p.watch.length > 60, `${p.name} has a title and what to watch`);
    await page.click(`#preset-list button[data-name="${p.name}"]`);
    assert.equal(await page.getAttribute(`#preset-list button[data-name="${p.name}"]`, 'aria-pressed'), 'true');
    assert.equal(await page.textContent('#preset-watch'), p.watch);
    const m = await page.evaluate(() => { window.lab.step(30); return window.lab.metrics(); });
    assert.equal(m.step, 30, `${p.name} ran 30 steps`);
    assert.ok(Number.isFinite(m.loss_train), `${p.name}: finite loss`);
    await frame(page);
  }
  await page.evaluate(() => window.lab.loadPreset('three_blobs'));
  const m = await page.evaluate(() => { window.lab.step(200); return window.lab.metrics(); });
  assert.equal(m.classes, 3);
  assert.ok(m.angle_wb_deg < 20, `three blobs angle after 200 steps: ${m.angle_wb_deg}`);
  await frame(page);
  for (const id of ['input-view', 'feature-view', 'charts-view']) {
    await page.locator(`#${id}`).screenshot({ path: `${SHOTS}three-blobs-${id}.png` });
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('blobs: after a few seconds of play the angle is far below where it started and both boundaries show', async () => {
  const { page, problems, context } = await openLab(env, '?preset=blobs');
  const start = await page.evaluate(() => window.lab.metrics());
  assert.equal(start.step, 0);
  await page.click('#play');
  assert.equal(await page.getAttribute('#play', 'aria-pressed'), 'true');
  await page.waitForTimeout(4000);
  await page.click('#play');
  await frame(page);
  const end = await page.evaluate(() => window.lab.metrics());
  assert.ok(end.step > 500, `only ${end.step} steps in 4 s`);
  assert.ok(end.angle_wb_deg < start.angle_wb_deg / 4, `angle ${start.angle_wb_deg}° → ${end.angle_wb_deg}°`);
  const [network, svm] = await colourCounts(page, 'input-view', [NETWORK, SVM], 25);
  assert.ok(network > 150, `network boundary pixels: ${network}`);
  assert.ok(svm > 150, `SVM boundary pixels: ${svm}`);
  const readout = await page.textContent('.metric[data-key="angle_wb_deg"] .value');
  assert.match(readout, /^[0-9.]+°$/);
  assert.match(await page.textContent('#step-count'), /step [0-9,]+/);
  for (const id of ['input-view', 'feature-view', 'charts-view']) {
    await page.locator(`#${id}`).screenshot({ path: `${SHOTS}blobs-${id}.png` });
  }
  await page.screenshot({ path: `${SHOTS}blobs-page.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('keyboard: space plays and pauses, → steps, r resets; controls are labelled', async () => {
  const { page, problems, context } = await openLab(env);
  await page.focus('body');
  await page.keyboard.press('ArrowRight');
  assert.equal((await page.evaluate(() => window.lab.metrics())).step, 1);
  await page.keyboard.press('Space');
  assert.equal(await page.evaluate(() => window.lab.isPlaying()), true);
  await page.waitForTimeout(300);
  await page.keyboard.press('Space');
  assert.equal(await page.evaluate(() => window.lab.isPlaying()), false);
  assert.ok((await page.evaluate(() => window.lab.metrics())).step > 1);
  await page.keyboard.press('r');
  assert.equal((await page.evaluate(() => window.lab.metrics())).step, 0);
  // Every form control has an accessible name.
  const unnamed = await page.$$eval('input, select, button, textarea', (els) => els.filter((e) => {
    if (e.closest('[hidden]') || e.type === 'file') return false;
    const label = e.labels?.length || e.getAttribute('aria-label') || e.textContent.trim();
    return !label;
  }).map((e) => e.outerHTML.slice(0, 80)));
  assert.deepEqual(unnamed, []);
  // The readout explains itself on focus.
  await page.focus('.metric[data-key="angle_wb_deg"]');
  assert.ok(await page.isVisible('#tip-angle_wb_deg'));
  assert.deepEqual(problems, []);
  await context.close();
});

test('bad input is refused with a message and the previous state survives', async () => {
  const { page, problems, context } = await openLab(env);
  const before = await page.evaluate(() => window.lab.config());
  const error = await page.evaluate(() => { try { window.lab.setConfig({ train: { learning_rate: -1 } }); return null; } catch (e) { return e.message; } });
  assert.ok(error);
  assert.match(await page.textContent('#message'), /learning_rate = -1 is out of range/);
  assert.deepEqual(await page.evaluate(() => window.lab.config()), before);
  // An empty number field is refused by the page.
  await page.fill('#data-controls [name=samples]', '');
  await page.press('#data-controls [name=samples]', 'Enter');
  assert.deepEqual(await page.evaluate(() => window.lab.config()), before);
  // A learning rate that explodes the weights: a diverged banner, finite state, no crash, no freeze.
  await page.evaluate(() => window.lab.setConfig({ network: { activation: 'square' }, train: { loss: 'mse', learning_rate: 5000 } }));
  await page.evaluate(() => window.lab.step(200));
  await frame(page);
  const m = await page.evaluate(() => window.lab.metrics());
  assert.equal(m.diverged, true);
  assert.match(await page.textContent('#banners'), /Training diverged at step \d+.*smaller learning rate/);
  assert.ok(Number.isFinite(m.last_layer_norm), 'weights stayed finite');
  await page.locator('#banners').screenshot({ path: `${SHOTS}diverged-banner.png` });
  // Non-separable features get their message.
  await page.evaluate(() => window.lab.loadPreset('moons_overlap'));
  await page.evaluate(() => window.lab.step(100));
  await frame(page);
  assert.match(await page.textContent('#banners'), /not linearly separable.*theorem does not apply/);
  // A bad CSV names the line and changes nothing.
  const config = await page.evaluate(() => window.lab.config());
  await page.setInputFiles('#import-csv', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('x,y,label\n0,0,0\n1,oops,1\n') });
  await page.waitForFunction(() => document.getElementById('message').textContent.includes('line 3'));
  assert.match(await page.textContent('#message'), /bad\.csv: line 3: column 2 \(y\): 'oops' is not a number.*Nothing was changed/);
  assert.deepEqual(await page.evaluate(() => window.lab.config()), config);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a garbage URL falls back with a message; a config URL reproduces the run exactly', async () => {
  let { page, problems, context } = await openLab(env, '?c=%7Bnot%20json');
  assert.match(await page.textContent('#message'), /link's settings were not valid/);
  assert.equal((await page.evaluate(() => window.lab.config())).data.set, 'blobs');
  assert.deepEqual(problems, []);
  await context.close();
  // Run 300 steps of a modified config, take its share link, open it, run 300 steps: same numbers.
  ({ page, problems, context } = await openLab(env, '?preset=moons'));
  await page.evaluate(() => window.lab.setConfig({ data: { seed: 3 }, train: { learning_rate: 0.3 } }));
  const first = await page.evaluate(() => { window.lab.step(300); return window.lab.metrics(); });
  await page.click('#share');
  const link = await page.inputValue('#share-link');
  assert.match(await page.inputValue('#embed-code'), /<iframe src=".*&amp;embed|<iframe src=".*&embed/);
  await context.close();
  ({ page, problems, context } = await openLab(env, link.slice(link.indexOf('?'))));
  const again = await page.evaluate(() => { window.lab.step(300); return window.lab.metrics(); });
  assert.equal(again.angle_wb_deg, first.angle_wb_deg);
  assert.equal(again.loss_train, first.loss_train);
  assert.deepEqual(problems, []);
  await context.close();
});

test('your own points: click to add, right-click to remove, clear, touch, CSV round trip', async () => {
  const { page, problems, context } = await openLab(env, '', { width: 1280, height: 900 });
  const box = await page.locator('#input-view').boundingBox();
  const n0 = (await page.evaluate(() => window.lab.metrics())).train_points + (await page.evaluate(() => window.lab.metrics())).test_points;
  await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.5);
  let c = await page.evaluate(() => window.lab.config());
  assert.equal(c.data.set, 'custom');
  assert.equal(c.data.points.length, n0 + 1);
  await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.5, { button: 'right' });
  c = await page.evaluate(() => window.lab.config());
  assert.equal(c.data.points.length, n0);
  // Clear, then add points: until two classes have two points each, the run waits and says why.
  await page.click('#clear-points');
  await page.click('#class-pick button[aria-label="class 0"]');
  await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.3);
  await frame(page);
  assert.match(await page.textContent('#banners'), /Editing points: your data need at least two points/);
  await page.mouse.click(box.x + box.width * 0.32, box.y + box.height * 0.35);
  await page.click('#class-pick button[aria-label="class 1"]');
  await page.mouse.click(box.x + box.width * 0.7, box.y + box.height * 0.7);
  await page.mouse.click(box.x + box.width * 0.72, box.y + box.height * 0.66);
  await frame(page);
  c = await page.evaluate(() => window.lab.config());
  assert.equal(c.data.points.length, 4);
  assert.doesNotMatch(await page.textContent('#banners'), /Editing points/);
  // Export, then import the same file: identical points.
  const csv = await page.evaluate(() => {
    let text = null;
    const orig = URL.createObjectURL;
    return new Promise((resolve) => {
      URL.createObjectURL = (blob) => { blob.text().then(resolve); URL.createObjectURL = orig; return orig(blob); };
      document.getElementById('export-csv').click();
    });
  });
  assert.match(csv, /^x,y,label\n/);
  await page.setInputFiles('#import-csv', { name: 'mine.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.waitForFunction(() => document.getElementById('message').textContent.includes('Imported 4 points'));
  assert.deepEqual((await page.evaluate(() => window.lab.config())).data.points, c.data.points);
  assert.deepEqual(problems, []);
  await context.close();
  // Touch: a tap adds a point.
  const touch = await env.browser.newContext({ viewport: { width: 420, height: 900 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });
  const tpage = await touch.newPage();
  await tpage.goto(env.url);
  await tpage.evaluate(() => window.lab.ready);
  await tpage.locator('#input-view').scrollIntoViewIfNeeded();
  const tb = await tpage.locator('#input-view').boundingBox();
  const before = await tpage.evaluate(() => window.lab.metrics().train_points + window.lab.metrics().test_points);
  await tpage.touchscreen.tap(tb.x + tb.width * 0.5, tb.y + tb.height * 0.4);
  assert.equal((await tpage.evaluate(() => window.lab.config())).data.points.length, before + 1);
  await tpage.screenshot({ path: `${SHOTS}phone.png`, fullPage: true });
  await touch.close();
});

test('dark theme and embed mode in a sandboxed iframe', async () => {
  const { page, problems, context } = await openLab(env);
  await page.click('#theme');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await frame(page);
  const corner = await page.evaluate(() => {
    const c = document.getElementById('input-view');
    return Array.from(c.getContext('2d').getImageData(2, 2, 1, 1).data);
  });
  assert.ok(corner[0] < 60 && corner[1] < 60 && corner[2] < 60, `dark background, got ${corner}`);
  await page.screenshot({ path: `${SHOTS}dark.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
  // A host page embedding the lab in an iframe sandboxed without allow-same-origin.
  const host = await env.browser.newContext({ viewport: { width: 1000, height: 900 } });
  const hpage = await host.newPage();
  const hostProblems = [];
  hpage.on('console', (m) => { if (m.type() === 'error') hostProblems.push(m.text()); });
  const html = `<!doctype html><title>host</title><link rel="icon" href="data:,"><iframe id="f" sandbox="allow-scripts" src="${env.url}?preset=blobs&embed&play" width="960" height="800"></iframe>`;
  writeFileSync(new URL('../../target/site/embed-host-test.html', import.meta.url), html);
  await hpage.goto(`${env.url}embed-host-test.html`);
  const f = hpage.frameLocator('#f');
  await f.locator('#input-view').waitFor();
  await hpage.waitForTimeout(2500);
  assert.equal(await f.locator('header.top').isVisible(), false, 'embed hides the header');
  assert.equal(await f.locator('#data-panel').isVisible(), false, 'embed hides the data panel');
  assert.ok(await f.locator('#play').isVisible(), 'play stays');
  const text = await f.locator('#step-count').textContent();
  assert.ok(Number(text.replace(/\D/g, '')) > 50, `the embedded lab runs (${text})`);
  await hpage.screenshot({ path: `${SHOTS}embed.png` });
  assert.deepEqual(hostProblems, [], hostProblems.join('\n'));
  await host.close();
});
