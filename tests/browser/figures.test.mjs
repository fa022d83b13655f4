// Figures leave the page as files a researcher can use: every view as SVG (vectors, with the run's link in its
// metadata, reproducible from it to the byte), the snapshot strip of log-spaced steps, and a WebM recording of
// the run — or, in a browser without MediaRecorder, a button that says why it cannot record.
import assert from 'node:assert/strict';
import { test, launch, openLab, downloaded, downloadSvg, parsed, fitLine, untilMetrics } from './harness.mjs';

let env;
test.before(async () => { env = await launch(); });
test.after(async () => { await env?.close(); });

/** A scatter figure's axes, read from the SVG alone: the plot's frame (its two long axis lines) and the maps
 * from data to pixels that its tick marks (short grey strokes) and their numeric labels define. */
function axesOf(svg) {
  const grey = svg.lines.filter((l) => l.stroke === GREY && l.points.length === 2);
  const length = ({ points: [a, b] }) => Math.hypot(b[0] - a[0], b[1] - a[1]);
  const flat = ({ points: [a, b] }) => a[1] === b[1];
  const yTicks = grey.filter((l) => flat(l) && length(l) < 10).map((l) => l.points[0][1]).sort((a, b) => a - b);
  const xTicks = grey.filter((l) => !flat(l) && length(l) < 10).map((l) => l.points[0][0]).sort((a, b) => a - b);
  const numbers = svg.labels.filter((t) => /^[−-]?\d+(\.\d+)?$/.test(t.text)).map((t) => ({ ...t, value: Number(t.text.replace('−', '-')) }));
  const left = Math.min(...numbers.map((t) => t.x));
  const yValues = numbers.filter((t) => t.x === left).sort((a, b) => a.y - b.y).map((t) => t.value);
  const xValues = numbers.filter((t) => t.x !== left).sort((a, b) => a.x - b.x).map((t) => t.value);
  assert.deepEqual([yValues.length, xValues.length], [yTicks.length, xTicks.length], 'a label for each tick');
  const mapX = fitLine(xValues, xTicks);
  const mapY = fitLine(yValues, yTicks);
  assert.ok(mapX.worst <= 0.75 && mapY.worst <= 0.75 && mapX.slope > 0 && mapY.slope < 0, 'evenly spaced ticks');
  const long = grey.filter((l) => length(l) > 100);
  const xs = long.flatMap((l) => l.points.map((p) => p[0]));
  const ys = long.flatMap((l) => l.points.map((p) => p[1]));
  return {
    px: ([x, y]) => [mapX.at(x), mapY.at(y)],
    data: ([u, v]) => [(u - mapX.at(0)) / mapX.slope, (v - mapY.at(0)) / mapY.slope],
    scale: [mapX.slope, -mapY.slope],
    inside: ([u, v]) => u > Math.min(...xs) + 1 && u < Math.max(...xs) - 1 && v > Math.min(...ys) + 1 && v < Math.max(...ys) - 1,
  };
}

/** Every point of `points` (data) has a dot of `kind` within a pixel and a half, and there are `points.length +
 * extra` such dots (the legend's swatch). */
function drawnAt(svg, axes, points, kind, extra, what) {
  const dots = svg.dots.filter((d) => d.r === kind.r && d.fill === kind.fill && d.stroke === kind.stroke);
  assert.equal(dots.length, points.length + extra, `${what}: ${dots.length} dots for ${points.length} points`);
  for (const p of points) {
    const [u, v] = axes.px(p);
    const nearest = Math.min(...dots.map((d) => Math.hypot(d.at[0] - u, d.at[1] - v)));
    assert.ok(nearest <= 1.5, `${what}: the point (${p}) has no dot near (${u.toFixed(1)}, ${v.toFixed(1)}): the nearest is ${nearest.toFixed(1)} px away`);
  }
}

/** The network of a run.json, written out: its last hidden layer's features and its scores at input x. */
function forwardOf(run) {
  const act = { tanh: Math.tanh, relu: (z) => Math.max(0, z) }[run.network.activation];
  const layers = run.network.layers;
  assert.ok(layers.every((l) => l.kind === 'dense'), 'a dense network');
  const affine = (a, l) => l.biases.map((b, j) => a.reduce((s, ai, i) => s + ai * l.weights[i][j], b));
  return (x) => {
    let a = x;
    for (const l of layers.slice(0, -1)) a = affine(a, l).map(act);
    return { features: a, scores: affine(a, layers.at(-1)) };
  };
}

/** The largest distance, in pixels, from the points of `lines` inside the plot to the nearest zero of `f`
 * (data → number), to first order: |f| over its gradient measured in pixels. */
function offZero(lines, axes, f) {
  let worst = 0;
  let count = 0;
  for (const p of lines.flatMap((l) => l.points).filter(axes.inside)) {
    const x = axes.data(p);
    const h = 1e-6;
    const gx = (f([x[0] + h, x[1]]) - f([x[0] - h, x[1]])) / (2 * h) / axes.scale[0];
    const gy = (f([x[0], x[1] + h]) - f([x[0], x[1] - h])) / (2 * h) / axes.scale[1];
    worst = Math.max(worst, Math.abs(f(x)) / Math.hypot(gx, gy));
    count++;
  }
  return { worst, count };
}

const BLUE = '#0072B2';
const ORANGE = '#E69F00';
const SVM = '#D55E00';
const INK = '#1C1E24';
const GREY = '#6E7480';

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
    // The points where run.json puts them, in their class's colour: each training point filled (and one legend
    // swatch a class), each test point hollow, each support vector ringed (and one in the legend).
    const run = JSON.parse(await page.evaluate(() => window.lab.exportRun()));
    const axes = axesOf(svg);
    const ofClass = (set, k, what = 'inputs') => set[what].filter((_, i) => set.labels[i] === k);
    for (const [k, colour] of [[0, BLUE], [1, ORANGE]]) {
      drawnAt(svg, axes, ofClass(run.train, k), { r: 4, fill: colour, stroke: 'none' }, 1, `class ${k}'s training points`);
      drawnAt(svg, axes, ofClass(run.test, k), { r: 4, fill: 'none', stroke: colour }, 0, `class ${k}'s test points`);
    }
    const sv = run.svm.regularized_bias;
    drawnAt(svg, axes, sv.support.map((i) => run.train.inputs[i]), { r: 7, fill: 'none', stroke: INK }, 1, 'the support vectors');
    assert.equal(sv.support.length, m.support_count);
    // Both boundaries where they are: the network's (its two scores equal) and the SVM's pulled back (w·h + b =
    // 0 on the features), each recomputed here from run.json's weights.
    const forward = forwardOf(run);
    const net = offZero(svg.lines.filter((l) => l.stroke === INK && l.points.length > 20), axes, (x) => { const s = forward(x).scores; return s[1] - s[0]; });
    const svmLine = (h) => sv.w.reduce((s, wi, i) => s + wi * h[i], sv.b);
    const pulled = offZero(svg.lines.filter((l) => l.stroke === SVM), axes, (x) => svmLine(forward(x).features));
    assert.ok(net.count > 50 && net.worst < 1.5, `the network's boundary: ${net.count} points, ${net.worst.toFixed(2)} px off`);
    assert.ok(pulled.count > 50 && pulled.worst < 1.5, `the SVM's boundary: ${pulled.count} points, ${pulled.worst.toFixed(2)} px off`);
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
    const space = axesOf(feature);
    for (const [k, colour] of [[0, BLUE], [1, ORANGE]]) {
      drawnAt(feature, space, ofClass(run.train, k, 'features'), { r: 4, fill: colour, stroke: 'none' }, 1, `class ${k}'s training features`);
    }
    drawnAt(feature, space, sv.support.map((i) => run.train.features[i]), { r: 7, fill: 'none', stroke: INK }, 1, 'the support vectors in feature space');
    // The SVM's line and its two margins (w·h + b = 0, ±1), and nothing else in its colour inside the plot.
    const [line, margins] = [(h) => svmLine(h), (h) => Math.abs(svmLine(h)) - 1].map((f) => offZero(feature.lines.filter((l) => l.stroke === SVM), space, f));
    const svmPoints = feature.lines.filter((l) => l.stroke === SVM).flatMap((l) => l.points).filter(space.inside);
    const onLine = svmPoints.filter((p) => offZero([{ points: [p] }], space, svmLine).worst < 1.5).length;
    const onMargin = svmPoints.filter((p) => offZero([{ points: [p] }], space, (h) => Math.abs(svmLine(h)) - 1).worst < 1.5).length;
    assert.ok(onLine > 20 && onMargin > 20 && onLine + onMargin === svmPoints.length,
      `the SVM's line (${onLine} points) and margins (${onMargin}) of ${svmPoints.length}: ${line.worst.toFixed(2)}, ${margins.worst.toFixed(2)} px`);
    // The angle chart draws the angle at every measured step (after step 0, on a log axis) and the newest.
    const charts = await parsed(page, (await downloadSvg(page, 'charts')).text);
    const series = [...run.metrics.filter((x) => x.step > 0 && x.step < run.final.step), run.final];
    const angle = charts.lines.find((l) => l.stroke === INK && l.points.length === series.length);
    assert.ok(angle, `an ink series of ${series.length} points: ${charts.lines.filter((l) => l.points.length > 5).map((l) => `${l.stroke} ${l.points.length}`)}`);
    const xFit = fitLine(series.map((x) => Math.log10(x.step)), angle.points.map((p) => p[0]));
    const yFit = fitLine(series.map((x) => x.angle_wb_deg), angle.points.map((p) => p[1]));
    assert.ok(xFit.slope > 0 && xFit.worst <= 1 && yFit.slope < 0 && yFit.worst <= 1,
      `the angle series is run.json's history: ${xFit.worst.toFixed(2)}, ${yFit.worst.toFixed(2)} px`);
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
    const from = (await page.evaluate(() => window.lab.metrics())).step;
    // Recorded while the run moves on by 300 steps (many frames of changing views), however long that takes.
    await untilMetrics(page, (m) => m.step >= from + 300, 30000);
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
