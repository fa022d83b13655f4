// Figures leave the page as files a researcher can use: every view as SVG (vectors, with the run's link in its
// metadata, reproducible from it to the byte), the snapshot strip of log-spaced steps, and a WebM recording of
// the run — or, in a browser without MediaRecorder, a button that says why it cannot record.
import test from 'node:test';
import assert from 'node:assert/strict';
import { launch, openLab, downloaded } from './harness.mjs';

let env;
test.before(async () => { env = await launch(); });
test.after(async () => { await env?.close(); });

/** Clicks the SVG button of `figure` and returns the downloaded file's name and text. */
async function downloadSvg(page, figure) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`button.svg[data-figure="${figure}"]`)]);
  return { name: download.suggestedFilename(), text: (await downloaded(download)).toString('utf8') };
}

/** What an SVG document holds, parsed by the browser: whether it parsed, its size, title and metadata, and its
 * circles grouped by radius, fill and stroke. */
function parsed(page, text) {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const svg = doc.documentElement;
    const circles = {};
    for (const c of doc.querySelectorAll('circle')) {
      const key = `r${c.getAttribute('r')} fill ${c.getAttribute('fill')} stroke ${c.getAttribute('stroke')}`;
      circles[key] = (circles[key] ?? 0) + 1;
    }
    const strokes = {};
    for (const p of doc.querySelectorAll('polyline, path')) strokes[p.getAttribute('stroke')] = (strokes[p.getAttribute('stroke')] ?? 0) + 1;
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null,
      size: [svg.getAttribute('width'), svg.getAttribute('height')].map(Number),
      title: doc.querySelector('title')?.textContent,
      metadata: JSON.parse(doc.getElementById('lastlayer-config')?.textContent ?? 'null'),
      images: [...doc.querySelectorAll('image')].map((i) => i.getAttribute('href').slice(0, 22)),
      texts: [...doc.querySelectorAll('text')].map((t) => t.textContent.trim()),
      circles,
      strokes,
    };
  }, text);
}

const BLUE = '#0072B2';
const ORANGE = '#E69F00';
const SVM = '#D55E00';
const INK = '#1C1E24';

test('each view downloads as an SVG that shows what the page shows and reproduces from its own metadata to the byte', async () => {
  const { page, problems, context } = await openLab(env, '?preset=blobs');
  try {
    await page.evaluate(() => window.lab.setConfig({ train: { learning_rate: 0.3 } }));
    await page.evaluate(() => window.lab.step(400));
    const m = await page.evaluate(() => window.lab.metrics());
    const config = await page.evaluate(() => window.lab.config());
    const input = await downloadSvg(page, 'input');
    assert.equal(input.name, 'lastlayer-input-custom-step400.svg');
    const svg = await parsed(page, input.text);
    assert.equal(svg.error, null);
    assert.deepEqual(svg.size, [620, 660]);
    assert.match(svg.title, /input — custom run — step 400/);
    assert.equal(svg.metadata.step, 400);
    assert.equal(svg.metadata.figure, 'input');
    assert.deepEqual(svg.metadata.config, config);
    assert.match(svg.metadata.link_query, /preset=blobs/);
    assert.match(decodeURIComponent(svg.metadata.link_query), /"learning_rate":0\.3/);
    // Vectors where the canvas has lines and points; only the heatmap is a bitmap (an embedded PNG).
    assert.deepEqual(svg.images, ['data:image/png;base64,']);
    const filled = (colour) => svg.circles[`r4 fill ${colour} stroke none`] ?? 0;
    const hollow = (colour) => svg.circles[`r4 fill none stroke ${colour}`] ?? 0;
    // The points, as the page exports them (one CSV row each, the label last); each class holds out
    // round(n_k · test fraction) of its points for testing.
    const csv = await page.evaluate(() => window.lab.request('export_csv'));
    const perClass = {};
    for (const row of csv.trim().split('\n').slice(1)) perClass[row.split(',').at(-1)] = (perClass[row.split(',').at(-1)] ?? 0) + 1;
    const test_ = Object.values(perClass).reduce((s, n) => s + Math.round(n * config.data.test_fraction), 0);
    const train = Object.values(perClass).reduce((s, n) => s + n, 0) - test_;
    assert.ok(train > 100 && test_ > 10, `${train} training and ${test_} test points`);
    // Each training point once (and one legend swatch a class), each test point hollow, each support vector
    // ringed (and one in the legend).
    assert.equal(filled(BLUE) + filled(ORANGE), train + 2, JSON.stringify(svg.circles));
    assert.equal(hollow(BLUE) + hollow(ORANGE), test_, JSON.stringify(svg.circles));
    assert.equal(svg.circles[`r7 fill none stroke ${INK}`], m.support_count + 1, JSON.stringify(svg.circles));
    assert.ok(svg.strokes[SVM] >= 1 && svg.strokes[INK] >= 1, `the SVM's and the network's boundaries: ${JSON.stringify(svg.strokes)}`);
    for (const word of ['Input space — step 400', 'support vectors', 'network boundary']) {
      assert.ok(svg.texts.some((t) => t.includes(word)), `"${word}" in ${svg.texts.slice(0, 12)}`);
    }
    // The same run, opened from the figure's link and stepped to its step, gives the same figure to the byte.
    const again = await openLab(env, `?${svg.metadata.link_query}`);
    try {
      assert.deepEqual(await again.page.evaluate(() => window.lab.config()), config);
      await again.page.evaluate((n) => window.lab.step(n), svg.metadata.step);
      assert.equal((await downloadSvg(again.page, 'input')).text, input.text);
      assert.deepEqual(again.problems, []);
    } finally {
      await again.context.close();
    }
    // The other views: the feature space (two classes, the SVM's line), the charts and the theory (their
    // series as lines, their titles as text); the gallery has nothing to show for points and says so.
    const feature = await parsed(page, (await downloadSvg(page, 'feature')).text);
    assert.equal(feature.error, null);
    assert.ok(feature.strokes[SVM] >= 1 && feature.circles[`r7 fill none stroke ${INK}`] === m.support_count + 1);
    for (const [name, words] of [['charts', ['Angle']], ['theory', ['1/ln t', 'Norm growth']]]) {
      const doc = await parsed(page, (await downloadSvg(page, name)).text);
      assert.equal(doc.error, null, name);
      assert.equal(doc.metadata.figure, name);
      assert.ok(Object.values(doc.strokes).reduce((a, b) => a + b, 0) > 20, `${name}: ${JSON.stringify(doc.strokes)}`);
      for (const word of words) assert.ok(doc.texts.some((t) => t.includes(word)), `${name}: "${word}" in ${doc.texts.slice(0, 20)}`);
    }
    assert.equal(await page.locator('button.svg[data-figure="gallery"]').isVisible(), false);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the snapshot strip shows the run at log-spaced steps as small multiples', async () => {
  const { page, problems, context } = await openLab(env, '?preset=moons');
  try {
    await page.evaluate(() => window.lab.step(1200));
    const strip = await downloadSvg(page, 'strip');
    assert.equal(strip.name, 'lastlayer-strip-moons-step1200.svg');
    const svg = await parsed(page, strip.text);
    assert.equal(svg.error, null);
    // Log-spaced frames (the first measurement at or after 0, 1, 3, 10, 30, …, at most six) and the newest,
    // each as a feature panel and an input panel, each with its heatmap.
    const steps = svg.texts.filter((t) => /step [\d,]+$/.test(t)).map((t) => Number(t.replace(/.*step /, '').replace(/,/g, '')));
    const features = steps.filter((_, i) => i % 2 === 0);
    assert.deepEqual(steps.filter((_, i) => i % 2 === 1), features, `a feature and an input panel each step: ${steps}`);
    assert.equal(features.length, 6, `${steps}`);
    assert.equal(features[0], 0);
    assert.equal(features.at(-1), 1200);
    const measured = (await page.evaluate(() => window.lab.exportRun().then(JSON.parse))).metrics.map((m) => m.step);
    for (const [i, target] of [0, 10, 30, 100, 300].entries()) {
      assert.equal(features[i], measured.find((s) => s >= target), `frame ${i}: the first measurement at or after ${target} of ${measured.slice(0, 40)}`);
    }
    assert.equal(svg.images.length, 12);
    assert.ok(svg.strokes[SVM] >= 12, `an SVM line in each panel: ${JSON.stringify(svg.strokes)}`);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('recording: Record plays into a WebM video of both views; without MediaRecorder the button says why', async () => {
  const { page, problems, context } = await openLab(env, '?preset=blobs');
  try {
    const record = page.locator('#record');
    assert.equal(await record.getAttribute('aria-pressed'), 'false');
    assert.match(await record.getAttribute('title'), /and save a WebM video$/, 'the button names the format it saves');
    await page.evaluate(() => window.lab.play());
    await record.click();
    assert.equal(await record.getAttribute('aria-pressed'), 'true');
    const from = await page.evaluate(() => window.lab.step(0).then(() => window.lab.metrics()).then((m) => m.step));
    await page.waitForTimeout(1500);
    const [download] = await Promise.all([page.waitForEvent('download'), record.click()]);
    await page.evaluate(() => window.lab.pause());
    assert.equal(await record.getAttribute('aria-pressed'), 'false');
    assert.match(download.suggestedFilename(), /^lastlayer-recording-from\d+-blobs-step\d+\.webm$/);
    const [, started, ended] = download.suggestedFilename().match(/from(\d+)-blobs-step(\d+)/).map(Number);
    assert.ok(started <= from && ended > started, `recorded steps ${started}…${ended} while playing (${from})`);
    const bytes = await downloaded(download);
    assert.equal(bytes.subarray(0, 4).toString('hex'), '1a45dfa3', 'an EBML (WebM) file');
    assert.ok(bytes.includes(Buffer.from('webm')), 'of doctype webm');
    assert.ok(bytes.length > 10000, `frames in it: ${bytes.length} bytes`);
    // The video decodes in the browser with the views' proportions (two views side by side); decoded in a
    // blank page, as the lab's policy does not load media from blob: URLs.
    const views = await page.evaluate(() => ['input-view', 'feature-view'].map((id) => document.getElementById(id)).map((c) => [c.width, c.height]));
    const blank = await context.newPage();
    const video = await blank.evaluate(async (b64) => {
      const blob = new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'video/webm' });
      const v = document.createElement('video');
      v.muted = true;
      v.src = URL.createObjectURL(blob);
      await new Promise((ok, fail) => { v.onloadedmetadata = ok; v.onerror = () => fail(new Error('the video does not load')); });
      return { w: v.videoWidth, h: v.videoHeight };
    }, bytes.toString('base64'));
    const wide = views.reduce((s, [w, h]) => s + w / h, 0);
    assert.ok(Math.abs(video.w / video.h - wide) < 0.05, `video ${video.w}×${video.h}, views ${JSON.stringify(views)}`);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
  const bare = await env.browser.newContext();
  try {
    const page = await bare.newPage();
    await page.addInitScript(() => { delete window.MediaRecorder; });
    await page.goto(env.url + '?preset=blobs');
    await page.evaluate(() => window.lab.ready);
    const record = page.locator('#record');
    assert.equal(await record.isDisabled(), true);
    assert.match(await record.getAttribute('title'), /^Recording needs the browser's MediaRecorder, which is missing here\.$/);
    assert.equal(await record.getAttribute('aria-label'), await record.getAttribute('title'));
  } finally {
    await bare.close();
  }
});
