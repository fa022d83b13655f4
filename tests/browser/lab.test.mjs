// The lab page in Chromium: every control changes what it should, every preset loads and runs, the blobs
// preset converges on screen with both boundaries drawn, keyboard and touch work, bad input is refused with a
// message, links reproduce runs, your own points, the lesson and the dark theme.
import assert from 'node:assert/strict';
import { test, before, after, launch, openLab, colorCounts, settledHash, frame, metrics, cliRun, essence, pageEssence, modelsOf, lineAlongZero, SHOTS, downloaded, untilMetrics } from './harness.mjs';

// Light theme: text/network boundary, SVM line (vermillion).
const NETWORK = [28, 30, 36];
const SVM = [213, 94, 0];
// The plot's interior of a square view: away from the title above, the axes left and below, and the legend
// strip under the plot.
const INTERIOR = [0.2, 0.12, 0.9, 0.7];
let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

test('every control changes the config it should, and the picture', async () => {
  const { page, problems, context } = await openLab(env);
  // [selector, how to set it, value, path in lab.config(), expected]
  const cases = [
    ['#data-controls [name=samples]', 'fill', '300', ['data', 'samples'], 300],
    ['#data-controls [name=noise]', 'range', '0.05', ['data', 'noise'], 0.05],
    ['#data-controls [name=balance]', 'range', '0.7', ['data', 'balance'], 0.7],
    ['#data-controls [name=test_fraction]', 'range', '0.4', ['data', 'test_fraction'], 0.4],
    ['#data-controls [name=seed]', 'fill', '7', ['data', 'seed'], 7],
    ['#data-controls [name=standardize]', 'check', true, ['data', 'standardize'], true],
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
  const get = (path) => page.evaluate((p) => p.reduce((o, k) => o[k], window.lab.config()), path);
  for (const [selector, how, value, path, expected] of cases) {
    const before = await settledHash(page, 'input-view');
    if (how === 'fill') {
      await page.fill(selector, value);
      await page.press(selector, 'Enter');
      await page.locator(selector).blur();
    } else if (how === 'select') {
      await page.selectOption(selector, value);
    } else if (how === 'check') {
      await page.check(selector);
    } else {
      await page.$eval(selector, (el, v) => { el.value = v; el.dispatchEvent(new Event('input', { bubbles: true })); }, value);
    }
    await page.waitForFunction(({ p, want }) => {
      const got = p.reduce((o, k) => o?.[k], window.lab.config());
      return typeof want === 'number' ? Math.abs(got - want) < 1e-9 : got === want;
    }, { p: path, want: expected });
    const got = await get(path);
    assert.ok(typeof expected === 'number' ? Math.abs(got - expected) < 1e-9 : got === expected, `${selector}: config ${path.join('.')} = ${got}`);
    // Data and network changes restart the run; its picture changes.
    if (path[0] === 'data' || path[0] === 'network') {
      assert.notEqual(await settledHash(page, 'input-view'), before, `${selector} should change the input view`);
    }
  }
  // Log sliders span the core's ranges: learning rate 1e-6..100, C 1e-3..1e7.
  await page.$eval('[data-group=train][name=learning_rate]', (el) => { el.value = '0.5'; el.dispatchEvent(new Event('input', { bubbles: true })); });
  await page.waitForFunction(() => Math.abs(window.lab.config().train.learning_rate - 1e-2) < 1e-12);
  await page.$eval('[data-group=svm][name=c]', (el) => { el.value = '0.5'; el.dispatchEvent(new Event('input', { bubbles: true })); });
  await page.waitForFunction(() => Math.abs(window.lab.config().svm.c - 100) < 1e-9);
  // The layers editor: add a layer, change a width, remove a layer; the last is marked as the feature space.
  await page.click('#add-layer');
  await page.waitForFunction(() => window.lab.config().network.hidden.length === 3);
  assert.deepEqual(await page.evaluate(() => window.lab.config().network.hidden), [16, 8, 2]);
  assert.match(await page.textContent('.feature-layer'), /Layer 3 — feature space/);
  await page.fill('[data-layer="2"]', '3');
  await page.press('[data-layer="2"]', 'Enter');
  await page.waitForFunction(() => window.lab.config().network.hidden[2] === 3);
  await page.click('button[aria-label="Remove hidden layer 1"]');
  await page.waitForFunction(() => window.lab.config().network.hidden.length === 2);
  assert.deepEqual(await page.evaluate(() => window.lab.config().network.hidden), [8, 3]);
  // A feature space wider than 2 is projected; both projections draw, differently.
  const projected = await settledHash(page, 'feature-view');
  await page.click('#view-panel summary');
  await page.selectOption('#projection', 'pca');
  assert.notEqual(await settledHash(page, 'feature-view'), projected, 'PCA projection draws differently');
  // Test points toggle.
  const withTest = await settledHash(page, 'input-view');
  await page.uncheck('#show-test');
  assert.notEqual(await settledHash(page, 'input-view'), withTest, 'hiding test points changes the picture');
  assert.deepEqual(problems, []);
  await context.close();
});

test('each preset loads from its button, shows its text, and runs the numbers the command line gets, to the bit, in the worker', async () => {
  const { page, problems, context } = await openLab(env);
  assert.equal(await page.evaluate(() => window.lab.engine()), 'worker');
  const presets = await page.evaluate(() => window.lab.presets());
  assert.ok(presets.length >= 13, `${presets.length} presets`);
  for (const p of presets) {
    assert.ok(p.title && p.watch.length > 60, `${p.name} has a title and what to watch`);
    await page.click(`#preset-list button[data-name="${p.name}"]`);
    await page.waitForFunction((name) => document.querySelector(`#preset-list button[data-name="${name}"]`).getAttribute('aria-current') === 'true', p.name);
    assert.equal(await page.textContent('#preset-watch'), p.watch);
    assert.equal(await page.evaluate(() => window.lab.step(30)), 30, `${p.name} ran 30 steps`);
    const m = await metrics(page);
    assert.equal(m.svm_fitted_at_step, 30, `${p.name}: measured at the step taken`);
    assert.deepEqual(await pageEssence(page), essence(cliRun(p.name, 30)), `${p.name}: page vs command line`);
  }
  await frame(page);
  for (const id of ['input-view', 'feature-view', 'charts-view']) {
    await page.locator(`#${id}`).screenshot({ path: `${SHOTS}last-preset-${id}.png` });
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('blobs: playing takes thousands of steps, gives the numbers stepping gives, and draws both boundaries where the models put them', async () => {
  const { page, problems, context } = await openLab(env, '?preset=blobs');
  const start = await metrics(page);
  assert.equal(start.step, 0);
  assert.ok(Math.abs(start.angle_wb_deg - 137.18) < 0.01, `initial angle ${start.angle_wb_deg}`);
  await page.click('#play');
  await page.waitForFunction(() => window.lab.isPlaying());
  assert.equal(await page.getAttribute('#play', 'aria-pressed'), 'true');
  await untilMetrics(page, (m) => m.step > 2000, 30000);
  await page.click('#play');
  await page.waitForFunction(() => !window.lab.isPlaying());
  const end = await page.evaluate(() => window.lab.measure());
  assert.equal(end.svm_fitted_at_step, end.step, 'pausing measures the step paused at');
  // Playing and stepping give the same numbers: the schedule depends on counted work, not on time.
  const played = await pageEssence(page);
  const stepped = await openLab(env, '?preset=blobs');
  await stepped.page.evaluate((n) => window.lab.step(n), end.step);
  assert.deepEqual(played, await pageEssence(stepped.page), `played vs stepped to ${end.step}`);
  await stepped.context.close();
  // The lines are drawn where the models' zero sets are (from run.json, by hand): the network's solid line
  // and the SVM's dashed one pulled back through the network.
  await settledHash(page, 'input-view');
  const models = modelsOf(JSON.parse(await page.evaluate(() => window.lab.exportRun())));
  const net = await lineAlongZero(page, models.network, NETWORK);
  const svm = await lineAlongZero(page, models.svm, SVM);
  assert.ok(net.crossings >= 0.5 * net.columns, `the network's boundary crosses the plot: ${JSON.stringify(net)}`);
  // (The SVM's dashes are drawn over the network's line where the two nearly coincide: about 88% is seen.)
  assert.ok(net.hits >= 0.8 * net.crossings, `the network's line lies on its zero set: ${JSON.stringify(net)}`);
  assert.ok(svm.crossings >= 0.5 * svm.columns && svm.hits >= 0.5 * svm.crossings, `the SVM's dashed line lies on its zero set: ${JSON.stringify(svm)}`);
  // And not where the other model's line would be if it were misplaced: the network's zero set shifted far
  // off is not drawn.
  const shifted = await lineAlongZero(page, (x) => models.network([x[0] + 0.3, x[1]]), NETWORK);
  assert.ok(shifted.hits < 0.3 * shifted.crossings, `a shifted line is not drawn: ${JSON.stringify(shifted)}`);
  const readout = await page.textContent('.metric[data-key="angle_wb_deg"] .value');
  assert.match(readout, /^[0-9.]+°$/);
  assert.match(await page.textContent('.metric[data-key="svm_fitted_at_step"] .value'), /^[0-9,]+$/);
  assert.match(await page.textContent('#step-count'), /step [0-9,]+/);
  assert.match(await page.textContent('.metric[data-key="log10_loss_train"] .value'), /^10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹·]+$|^[0-9.×⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+$/);
  for (const id of ['input-view', 'feature-view', 'charts-view']) {
    await page.locator(`#${id}`).screenshot({ path: `${SHOTS}blobs-${id}.png` });
  }
  await page.screenshot({ path: `${SHOTS}blobs-page.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a missing boundary would be seen: with the SVM unfit (one class edited away) no SVM line is drawn', async () => {
  const { page, problems, context } = await openLab(env);
  await settledHash(page, 'input-view');
  const [, svmBefore] = await colorCounts(page, 'input-view', [NETWORK, SVM], 25, INTERIOR);
  assert.ok(svmBefore > 150, `the SVM line is drawn: ${svmBefore}`);
  // While points are being edited (cleared), only the points show: no boundary pixels in the interior.
  await page.click('#clear-points');
  await page.waitForFunction(() => document.getElementById('banners').textContent.includes('Editing points'));
  await settledHash(page, 'input-view');
  const [network, svm] = await colorCounts(page, 'input-view', [NETWORK, SVM], 25, INTERIOR);
  assert.ok(svm < 20 && network < 20, `no lines while editing: network ${network}, SVM ${svm}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('keyboard: space plays and pauses, → steps, r resets; controls are labelled', async () => {
  const { page, problems, context } = await openLab(env);
  await page.focus('body');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => JSON.parse(JSON.stringify(window.lab.config())) && document.getElementById('step-count').textContent === 'step 1');
  assert.equal((await metrics(page)).step, 1);
  await page.keyboard.press('Space');
  await page.waitForFunction(() => window.lab.isPlaying());
  await untilMetrics(page, (m) => m.step > 1, 10000);
  await page.keyboard.press('Space');
  await page.waitForFunction(() => !window.lab.isPlaying());
  assert.ok((await metrics(page)).step > 1);
  await page.keyboard.press('r');
  await untilMetrics(page, (m) => m.step === 0);
  // Every form control has an accessible name.
  const unnamed = await page.$$eval('input, select, button, textarea', (els) => els.filter((e) => {
    if (e.closest('[hidden]') || e.type === 'file' || e.offsetParent === null) return false;
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
  const error = await page.evaluate(() => window.lab.setConfig({ train: { learning_rate: -1 } }).then(() => null, (e) => e.message));
  assert.ok(error);
  assert.match(await page.textContent('#message'), /train\.learning_rate = -1 is out of range/);
  assert.deepEqual(await page.evaluate(() => window.lab.config()), before);
  // An empty number field is refused by the page, with a message, and nothing changes.
  await page.fill('#data-controls [name=samples]', '');
  await page.press('#data-controls [name=samples]', 'Enter');
  await page.waitForFunction(() => document.getElementById('message').textContent.startsWith('samples'));
  assert.deepEqual(await page.evaluate(() => window.lab.config()), before);
  // A learning rate that explodes the weights: a diverged banner, finite state, no crash, no freeze.
  await page.evaluate(() => window.lab.setConfig({ network: { activation: 'square' }, train: { loss: 'mse', learning_rate: 100 } }));
  await page.evaluate(() => window.lab.step(200));
  const m = await metrics(page);
  assert.equal(m.diverged, true);
  await page.waitForFunction(() => /Training diverged at step \d+.*smaller learning rate/.test(document.getElementById('banners').textContent));
  assert.ok(Number.isFinite(m.last_layer_norm), 'weights stayed finite');
  await page.locator('#banners').screenshot({ path: `${SHOTS}diverged-banner.png` });
  // Divergence while playing stops the play by itself.
  await page.evaluate(() => window.lab.reset());
  await page.evaluate(() => window.lab.play());
  await page.waitForFunction(() => !window.lab.isPlaying(), null, { timeout: 10000 });
  assert.equal((await metrics(page)).diverged, true);
  // Non-separable features get their message.
  await page.evaluate(() => window.lab.loadPreset('moons_overlap'));
  await page.evaluate(() => window.lab.step(100));
  await page.waitForFunction(() => /not linearly separable.*theorem does not apply/.test(document.getElementById('banners').textContent));
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
  // Run 300 steps of a modified config (with a seed near 2⁵³), take its share link, open it, run 300 steps.
  ({ page, problems, context } = await openLab(env, '?preset=moons'));
  await page.evaluate(() => window.lab.setConfig({ data: { seed: 9007199254740991 }, train: { learning_rate: 0.3 } }));
  await page.evaluate(() => window.lab.step(300));
  const first = await metrics(page);
  await page.click('#share');
  const link = await page.inputValue('#share-link');
  assert.match(await page.inputValue('#embed-code'), /<iframe src="[^"]*&embed" [^>]*height="480"[^>]*sandbox="allow-scripts allow-same-origin allow-popups"/);
  await context.close();
  ({ page, problems, context } = await openLab(env, link.slice(link.indexOf('?'))));
  assert.equal((await page.evaluate(() => window.lab.config())).data.seed, 9007199254740991, 'the seed survives exactly');
  await page.evaluate(() => window.lab.step(300));
  const again = await metrics(page);
  assert.equal(again.angle_wb_deg, first.angle_wb_deg);
  assert.equal(again.loss_train, first.loss_train);
  assert.deepEqual(problems, []);
  await context.close();
});

test('your own points: click to add, right-click to remove, clear, touch, CSV round trip', async () => {
  const { page, problems, context } = await openLab(env, '', { width: 1280, height: 900 });
  const box = await page.locator('#input-view').boundingBox();
  const m0 = await metrics(page);
  const n0 = m0.train_points + m0.test_points;
  await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.4);
  await page.waitForFunction(() => window.lab.config().data.set === 'custom');
  let c = await page.evaluate(() => window.lab.config());
  assert.equal(c.data.points.length, n0 + 1);
  await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.4, { button: 'right' });
  await page.waitForFunction((n) => window.lab.config().data.points.length === n, n0);
  // Clear, then add points: until two classes have two points each, the run waits and says why.
  await page.click('#clear-points');
  await page.click('#class-pick button[aria-label="class 0"]');
  await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.3);
  await page.waitForFunction(() => /Editing points: your data need at least two points/.test(document.getElementById('banners').textContent));
  await page.mouse.click(box.x + box.width * 0.32, box.y + box.height * 0.35);
  await page.click('#class-pick button[aria-label="class 1"]');
  await page.mouse.click(box.x + box.width * 0.7, box.y + box.height * 0.6);
  await page.mouse.click(box.x + box.width * 0.72, box.y + box.height * 0.55);
  await page.waitForFunction(() => window.lab.config().data.points?.length === 4);
  c = await page.evaluate(() => window.lab.config());
  await page.waitForFunction(() => !/Editing points/.test(document.getElementById('banners').textContent));
  // Export, then import the same file: identical points.
  const csv = await page.evaluate(() => new Promise((resolve) => {
    const orig = URL.createObjectURL;
    URL.createObjectURL = (blob) => { blob.text().then(resolve); URL.createObjectURL = orig; return orig(blob); };
    document.getElementById('export-csv').click();
  }));
  assert.match(csv, /^x,y,label\n/);
  await page.setInputFiles('#import-csv', { name: 'mine.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.waitForFunction(() => document.getElementById('message').textContent.includes('Imported 4 points'));
  assert.deepEqual((await page.evaluate(() => window.lab.config())).data.points, c.data.points);
  assert.deepEqual(problems, []);
  await context.close();
  // Touch: a tap adds a point.
  const touch = await env.browser.newContext({ viewport: { width: 420, height: 900 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });
  const tpage = await touch.newPage();
  const touchProblems = [];
  tpage.on('pageerror', (e) => touchProblems.push(e.message));
  tpage.on('console', (m) => { if (m.type() === 'error') touchProblems.push(m.text()); });
  await tpage.goto(env.url);
  await tpage.evaluate(() => window.lab.ready);
  await tpage.locator('#input-view').scrollIntoViewIfNeeded();
  const tb = await tpage.locator('#input-view').boundingBox();
  const tm = await tpage.evaluate(() => window.lab.metrics());
  await tpage.touchscreen.tap(tb.x + tb.width * 0.5, tb.y + tb.height * 0.4);
  await tpage.waitForFunction((n) => window.lab.config().data.points?.length === n, tm.train_points + tm.test_points + 1);
  await tpage.screenshot({ path: `${SHOTS}phone.png`, fullPage: true });
  assert.deepEqual(touchProblems, []);
  await touch.close();
});

test('the lesson: each step sets its experiment up (preset, moment, playing or not) and points at its view; Esc closes it; ?lesson=N links a step', async () => {
  const { page, problems, context } = await openLab(env);
  // The core's own list of steps, from an instance of the glue of the test's own (the page's is in its bundle).
  const steps = await page.evaluate(async () => {
    const core = await import('./pkg/lastlayer.js');
    await core.default({ module_or_path: new URL('pkg/lastlayer_bg.wasm', location.href) });
    return JSON.parse(core.options()).lesson;
  });
  assert.ok(steps.length >= 6, `${steps.length} steps`);
  await page.click('#lesson-open');
  const views = { input: 'input-view', feature: 'feature-view', charts: 'charts-view', readout: 'readout', experiment: 'experiment-view', banners: 'banners' };
  for (let n = 1; n <= steps.length; n++) {
    const s = steps[n - 1];
    await page.waitForFunction((n) => document.getElementById('lesson').dataset.shown === String(n), n, { timeout: 30000 });
    assert.equal(await page.textContent('#lesson-title'), s.title);
    assert.equal(await page.textContent('#lesson-count'), `Step ${n} of ${steps.length}`);
    const m = await metrics(page);
    if (s.preset && !s.config) assert.equal(m.preset, s.preset, `step ${n} runs the preset ${s.preset}`);
    assert.equal(await page.evaluate(() => window.lab.isPlaying()), s.play, `step ${n}: playing ${s.play}`);
    if (!s.play) assert.equal(m.step, s.advance, `step ${n} shows the moment ${s.advance}`);
    // The speed the step sets, on the slider; a slow one is kept to while playing (the engine's allowance is a
    // quarter of a second's steps).
    const slider = await page.$eval('#speed', (el) => ({ value: Number(el.value), max: Number(el.max) }));
    assert.equal(slider.value, s.speed === null ? slider.max : Math.round(4 * Math.log10(s.speed)) / 4, `step ${n}: speed ${s.speed}`);
    if (s.play && s.speed !== null) {
      const rate = Math.round(10 ** slider.value) * 60;
      const [t0, a] = await page.evaluate(async () => [performance.now(), (await window.lab.metrics()).step]);
      await page.waitForTimeout(1500);
      const [t1, b] = await page.evaluate(async () => [performance.now(), (await window.lab.metrics()).step]);
      assert.ok(b > a && b - a <= rate * (t1 - t0) / 1000 + rate / 4 + 1, `step ${n}: ${b - a} steps in ${Math.round(t1 - t0)} ms at ${rate} steps/s`);
    }
    const focused = await page.$eval('.focus', (el) => el.querySelector('canvas')?.id ?? el.id);
    assert.equal(focused, views[s.focus], `step ${n} points at ${s.focus}`);
    assert.equal(await page.$$eval('.focus', (els) => els.length), 1);
    const message = await page.$eval('#message', (el) => (el.hidden ? '' : el.textContent));
    assert.equal(message, '', `step ${n} set up without an error`);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'lesson-next', 'Next has the focus');
    if (n < steps.length) await page.click('#lesson-next');
  }
  assert.equal(await page.textContent('#lesson-next'), 'Finish');
  await page.screenshot({ path: `${SHOTS}lesson.png` });
  // The address bar links the step shown while the lesson is open, and no step once it is closed (a reload
  // would open it again).
  await page.waitForFunction((n) => new URL(location.href).searchParams.get('lesson') === String(n), steps.length);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.getElementById('lesson').hidden);
  await page.waitForFunction(() => !new URL(location.href).searchParams.has('lesson') && /[?&]preset=/.test(location.search));
  assert.equal(await page.$$eval('.focus', (els) => els.length), 0);
  assert.deepEqual(problems, []);
  await context.close();
  const linked = await openLab(env, '?lesson=4&present');
  await linked.page.waitForFunction(() => document.getElementById('lesson').dataset.shown === '4', null, { timeout: 20000 });
  assert.equal(await linked.page.textContent('#lesson-count'), `Step 4 of ${steps.length}`);
  assert.equal(await linked.page.evaluate(() => document.body.classList.contains('present')), true);
  assert.equal(await linked.page.textContent('#lesson-title'), steps[3].title);
  assert.equal((await linked.page.evaluate(() => window.lab.metrics())).step, steps[3].advance, 'the step shows its moment');
  await linked.page.screenshot({ path: `${SHOTS}lesson-present.png` });
  assert.deepEqual(linked.problems, []);
  await linked.context.close();
});

/** The luminance of every pixel of a canvas (0–255). */
async function luminances(page, id) {
  return page.evaluate((id) => {
    const c = document.getElementById(id);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const out = [];
    for (let i = 0; i < d.length; i += 4) out.push(0.2126 * d[i] + 0.7152 * d[i + 1] + 0.0722 * d[i + 2]);
    return out;
  }, id);
}

test('dark theme: every view is drawn dark with light lines and text, and the page around them is dark too', async () => {
  const { page, problems, context } = await openLab(env);
  await page.evaluate(() => window.lab.step(200));
  const light = {};
  for (const id of ['input-view', 'feature-view', 'charts-view']) {
    await settledHash(page, id);
    const l = await luminances(page, id);
    light[id] = l.filter((v) => v > 170).length;
  }
  await page.click('#theme');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  for (const id of ['input-view', 'feature-view', 'charts-view']) {
    await settledHash(page, id);
    const l = [...(await luminances(page, id))].sort((a, b) => a - b);
    const median = l[Math.floor(l.length / 2)];
    assert.ok(median < 70, `${id}: the median pixel is dark (${median})`);
    const bright = l.filter((v) => v > 170).length;
    assert.ok(bright > 300 && bright < 0.5 * light[id], `${id}: light lines and text on it (${bright} bright pixels, ${light[id]} in the light theme)`);
  }
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const [r, g, b] = bg.match(/\d+/g).map(Number);
  assert.ok(r < 60 && g < 60 && b < 60, `the page's background is dark: ${bg}`);
  await page.screenshot({ path: `${SHOTS}dark.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('the controls no other test touches: retrain, speed, export run, the eraser, the embed\'s own buttons', async () => {
  const { page, problems, context } = await openLab(env);
  // Retrain the last layer only: recorded in the config at the step it happened, said in a banner.
  await page.evaluate(() => window.lab.step(50));
  await page.click('#retrain');
  await page.waitForFunction(() => window.lab.config().train.retrain_last_layer_at === 50);
  await untilMetrics(page, (m) => m.last_layer_only === true);
  await page.waitForFunction(() => /Only the last layer is training/.test(document.getElementById('banners').textContent));
  // Speed: one step a frame is about sixty a second; the top of the slider is as fast as the machine goes.
  await page.$eval('#speed', (el) => { el.value = '0'; el.dispatchEvent(new Event('input', { bubbles: true })); });
  assert.equal(await page.textContent('#speed-out'), '1');
  // Played until 30 steps are taken, it has taken no more than one a frame (at most 60 a second, and the
  // engine's allowance of a quarter of a second's steps), in the time measured.
  const [t0, s0] = await page.evaluate(async () => [performance.now(), (await window.lab.metrics()).step]);
  await page.evaluate(() => window.lab.play());
  await untilMetrics(page, (m) => m.step >= s0 + 30, 20000);
  const [t1, s1] = await page.evaluate(async () => [performance.now(), (await window.lab.metrics()).step]);
  await page.evaluate(() => window.lab.pause());
  assert.ok(s1 - s0 <= 60 * (t1 - t0) / 1000 + 16, `${s1 - s0} steps in ${Math.round(t1 - t0)} ms at one step a frame`);
  await page.$eval('#speed', (el) => { el.value = el.max; el.dispatchEvent(new Event('input', { bubbles: true })); });
  // Export run: the download is the run as JSON, at the step shown.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-run')]);
  const run = JSON.parse((await downloaded(download)).toString('utf8'));
  assert.equal(download.suggestedFilename(), 'lastlayer-run.json');
  assert.equal(run.format, 'lastlayer-run/4');
  assert.equal(run.steps, (await metrics(page)).step);
  // The eraser: a press on a point removes it (and only it). The point is added in an empty corner.
  await page.locator('#input-view').scrollIntoViewIfNeeded();
  const box = await page.locator('#input-view').boundingBox();
  await page.mouse.click(box.x + box.width * 0.22, box.y + box.height * 0.2);
  await page.waitForFunction(() => window.lab.config().data.set === 'custom');
  const points = (await page.evaluate(() => window.lab.config())).data.points;
  await settledHash(page, 'input-view');
  const added = points[points.length - 1];
  // Where that point is drawn, in the page's CSS pixels (the plot is in canvas pixels inside the border).
  const at = await page.evaluate((p) => {
    const c = document.getElementById('input-view');
    const plot = window.lab.inputPlot();
    const r = c.getBoundingClientRect();
    const scale = c.width / c.clientWidth;
    const px = plot.px[0] + ((p[0] - plot.x[0]) / (plot.x[1] - plot.x[0])) * (plot.px[1] - plot.px[0]);
    const py = plot.py[1] - ((p[1] - plot.y[0]) / (plot.y[1] - plot.y[0])) * (plot.py[1] - plot.py[0]);
    return [r.left + c.clientLeft + px / scale, r.top + c.clientTop + py / scale];
  }, added);
  await page.check('#eraser');
  await page.mouse.click(at[0], at[1]);
  await page.waitForFunction((n) => window.lab.config().data.points.length === n, points.length - 1);
  const left = (await page.evaluate(() => window.lab.config())).data.points;
  assert.ok(!left.some((p) => p[0] === added[0] && p[1] === added[1]), 'the point under the eraser went');
  assert.deepEqual(problems, []);
  await context.close();
  // The embed's strip: Play follows the state (label and aria-pressed), Step takes a step, Reset restarts.
  const embedded = await openLab(env, '?preset=blobs&embed', { width: 700, height: 480 });
  const p = embedded.page;
  await p.click('#embed-step');
  await untilMetrics(p, (m) => m.step === 1);
  await p.click('#embed-play');
  await p.waitForFunction(() => window.lab.isPlaying());
  await p.waitForFunction(() => document.getElementById('embed-play').getAttribute('aria-pressed') === 'true' && /Pause/.test(document.getElementById('embed-play').textContent));
  await p.click('#embed-play');
  await p.waitForFunction(() => !window.lab.isPlaying() && document.getElementById('embed-play').getAttribute('aria-pressed') === 'false' && /Play/.test(document.getElementById('embed-play').textContent));
  await p.click('#embed-reset');
  await untilMetrics(p, (m) => m.step === 0);
  assert.deepEqual(embedded.problems, []);
  await embedded.context.close();
});
