// The paper's consequences on the page: a class-incremental run with its six memory arms and adversarial
// examples run in one click, in the worker and in the main-thread fallback, with the command line's numbers to
// the bit; the experiment view draws them, the input view marks the attacks, the panel's controls change the
// experiment, bad settings get a message and keep the run, and a finished run stops playing by itself.
import assert from 'node:assert/strict';
import { test, before, after, launch, openLab, openSandboxed, cliRun, within, colorCounts, downloadSvg, parsed, fitLine } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

/** The experiments' numbers a run exports (run.json): the arms and the adversarial points. */
const experiments = (run) => ({ forgetting: run.forgetting, adversarial: run.adversarial, final: { ...run.final, svm_fit_ms: 0 } });

const sandboxed = (query) => openSandboxed(env, 'experiments.html', query);

test('forgetting and adversarial examples: the worker and the main-thread fallback give the command line\'s arms and attacks to the bit', async () => {
  const cases = [['forgetting_blobs', 4000], ['adversarial_moons', 2000]];
  const cli = Object.fromEntries(cases.map(([p, n]) => [p, experiments(cliRun(p, n))]));
  assert.equal(cli.forgetting_blobs.forgetting.arms.length, 6);
  assert.ok(cli.adversarial_moons.adversarial.points.length > 30);
  const worker = await openLab(env);
  const main = await sandboxed('');
  try {
    assert.equal(await worker.page.evaluate(() => window.lab.engine()), 'worker');
    assert.equal(await main.frame.evaluate(() => window.lab.engine()), 'main');
    for (const [frame, mode] of [[worker.page, 'worker'], [main.frame, 'main thread']]) {
      for (const [preset, steps] of cases) {
        await frame.evaluate((name) => window.lab.loadPreset(name), preset);
        assert.equal(await frame.evaluate((n) => window.lab.step(n), steps), steps);
        const run = JSON.parse(await frame.evaluate(() => window.lab.exportRun()));
        assert.deepEqual(experiments(run), cli[preset], `${preset} in the ${mode} vs the command line`);
      }
    }
    assert.deepEqual(worker.problems, []);
    assert.deepEqual(main.problems, []);
  } finally {
    await worker.context.close();
    await main.context.close();
  }
});

test('a class-incremental run: played to its end it stops by itself, the chart draws every arm, the arm shown and the budget are controls', async () => {
  const { page, problems, context } = await openLab(env, '?preset=forgetting_blobs');
  try {
    assert.match(await page.locator('#banners').innerText(), /Forgetting, phase 1: the network learns the old classes \(class 0, class 1\) alone until step 2,000/);
    assert.equal(await page.locator('#experiment-figure').isVisible(), true);
    await page.evaluate(() => window.lab.play());
    await within(120000, page.waitForFunction(() => !window.lab.isPlaying(), null, { timeout: 120000, polling: 200 }), 'the run stopping at its end');
    const m = await page.evaluate(() => window.lab.metrics());
    assert.equal(m.step, 4000);
    assert.equal(m.finished, true);
    await page.evaluate(() => window.lab.redraw());
    assert.match(await page.locator('#banners').innerText(), /Forgetting, phase 2 \(complete at step 4,000\)/);
    const ex = await page.evaluate(() => window.lab.experiments());
    assert.deepEqual(ex.forgetting.arms.map((a) => a.arm), ['none', 'supportnet', 'linear_svm', 'random', 'class_means', 'all_old']);
    const finals = Object.fromEntries(ex.forgetting.arms.map((a) => [a.arm, a.history.at(-1)]));
    assert.equal(finals.none.old_acc, 0);
    assert.equal(finals.all_old.old_acc, 1);
    // Every arm's line is on the old-class chart, below its legend: its colour is there (Okabe–Ito: vermillion,
    // orange, blue, green, reddish purple, ink; dashed lines drawn over solid ones, so none's shows over the
    // others' where they sit at 0).
    const colours = { supportnet: [213, 94, 0], linear_svm: [230, 159, 0], random: [0, 114, 178], class_means: [0, 158, 115], none: [204, 121, 167], all_old: [28, 30, 36] };
    const counts = await colorCounts(page, 'experiment-view', Object.values(colours), 30, [0.05, 0.1, 0.5, 0.46]);
    for (const [arm, n] of Object.keys(colours).map((k, i) => [k, counts[i]])) assert.ok(n > 40, `${arm}'s line on the old-class chart: ${n} pixels`);
    // And each line is where the arm's record puts it: in the figure's SVG (the same drawing), every point the
    // old-class chart draws in an arm's colour lies on that arm's history of old-class accuracy, from its first
    // step to its last. The axes come from SupportNet's solid line, fitted to its own history.
    const figure = await parsed(page, (await downloadSvg(page, 'experiment')).text);
    const hex = (rgb) => `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`.toUpperCase();
    const history = (arm) => ex.forgetting.arms.find((a) => a.arm === arm).history;
    const solid = figure.lines.filter((l) => l.stroke === hex(colours.supportnet) && l.points.length === history('supportnet').length)
      .sort((a, b) => a.points[0][1] + a.points[0][0] - b.points[0][1] - b.points[0][0])[0];
    const xFit = fitLine(history('supportnet').map((h) => h.step), solid.points.map((p) => p[0]));
    const yFit = fitLine(history('supportnet').map((h) => h.old_acc), solid.points.map((p) => p[1]));
    assert.ok(xFit.worst <= 1 && yFit.worst <= 1 && yFit.slope < 0, `SupportNet's line is its history: ${xFit.worst}, ${yFit.worst} px`);
    const px = (h) => [xFit.at(h.step), yFit.at(h.old_acc)];
    const [left, right, top, bottom] = [xFit.at(2000) - 2, xFit.at(4000) + 2, yFit.at(1) - 2, yFit.at(0) + 2];
    const toSegment = ([x, y], [ax, ay], [bx, by]) => {
      const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2 || 1)));
      return Math.hypot(x - ax - t * (bx - ax), y - ay - t * (by - ay));
    };
    for (const [arm, rgb] of Object.entries(colours)) {
      const path = history(arm).map(px);
      const drawn = figure.lines.filter((l) => l.stroke === hex(rgb)).flatMap((l) => l.points)
        .filter(([x, y]) => x >= left && x <= right && y >= top && y <= bottom);
      const off = Math.max(...drawn.map((p) => Math.min(...path.slice(1).map((q, i) => toSegment(p, path[i], q)))));
      const xs = drawn.map((p) => p[0]);
      assert.ok(drawn.length > 10 && off <= 1.5, `${arm}: ${drawn.length} points drawn, the farthest ${off.toFixed(2)} px off its history`);
      assert.ok(Math.min(...xs) <= path[0][0] + 12 && Math.max(...xs) >= path.at(-1)[0] - 12, `${arm}'s line spans its steps: ${Math.min(...xs)}…${Math.max(...xs)}`);
    }
    // Play again says the run is over, and nothing plays.
    await page.click('#play');
    await within(5000, page.locator('#message').filter({ hasText: 'The run is complete' }).waitFor(), 'the message that the run is over');
    assert.equal(await page.evaluate(() => window.lab.isPlaying()), false);
    assert.equal((await page.evaluate(() => window.lab.metrics())).step, 4000);
    // No stall is blamed on the set-up for the forgetting the experiment shows; the memory is drawn as diamonds,
    // as the legend says.
    const banners = await page.locator('#banners').innerText();
    assert.doesNotMatch(banners, /stalled|standardis/i);
    assert.match(banners, /marked with diamonds/);
    // The arm shown is a control; every arm's record stays the same.
    await page.click('#experiments-panel summary');
    await page.selectOption('[data-group=forgetting][name=shown]', 'random');
    await within(20000, page.waitForFunction(() => window.lab.experiments().forgetting?.shown === 'random'), 'the arm switching');
    const after = await page.evaluate(() => window.lab.experiments());
    assert.deepEqual(after.forgetting.arms.map((a) => a.history), ex.forgetting.arms.map((a) => a.history));
    assert.equal((await page.evaluate(() => window.lab.config())).forgetting.shown, 'random');
    // A budget larger than the old data: a message, and the run kept.
    const config = await page.evaluate(() => window.lab.config());
    await page.fill('[data-group=forgetting][name=budget]', '500');
    await page.press('[data-group=forgetting][name=budget]', 'Enter');
    await within(10000, page.locator('#message').filter({ hasText: 'a memory of 500 points is more than the 160 training points of the old classes' }).waitFor(), 'the budget message');
    assert.deepEqual(await page.evaluate(() => window.lab.config()), config);
    assert.equal((await page.evaluate(() => window.lab.metrics())).step, 4000);
    // An empty budget is the default (ten per old class): the run restarts with it.
    await page.fill('[data-group=forgetting][name=budget]', '12');
    await page.press('[data-group=forgetting][name=budget]', 'Enter');
    await within(10000, page.waitForFunction(() => window.lab.config().forgetting.budget === 12), 'budget 12');
    await page.fill('[data-group=forgetting][name=budget]', '');
    await page.press('[data-group=forgetting][name=budget]', 'Enter');
    await within(10000, page.waitForFunction(() => window.lab.config().forgetting.budget === null), 'the default budget');
    assert.deepEqual(await page.evaluate(() => window.lab.config()), { ...config, forgetting: { ...config.forgetting, shown: 'random', budget: null } });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('two classes cannot be learned incrementally: the checkbox says why and the run goes on', async () => {
  const { page, problems, context } = await openLab(env, '?preset=moons');
  try {
    await page.evaluate(() => window.lab.step(30));
    const config = await page.evaluate(() => window.lab.config());
    await page.click('#experiments-panel summary');
    // A click (the checkbox is set back as soon as the engine refuses: Playwright's check() would object).
    await page.click('[data-group=forgetting][name=on]');
    await within(10000, page.locator('#message').filter({ hasText: 'at least four classes' }).waitFor(), 'the message');
    assert.deepEqual(await page.evaluate(() => window.lab.config()), config);
    assert.equal((await page.evaluate(() => window.lab.metrics())).step, 30);
    assert.equal(await page.isChecked('[data-group=forgetting][name=on]'), false, 'the checkbox follows the run');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('adversarial examples: arrows on the input view where the attacks go, gone when switched off; the readout and the chart', async () => {
  const { page, problems, context } = await openLab(env, '?preset=adversarial_moons');
  try {
    await page.evaluate(() => window.lab.step(3000));
    await page.evaluate(() => window.lab.redraw());
    const ex = await page.evaluate(() => window.lab.experiments());
    const tests = (await page.evaluate(() => window.lab.metrics())).test_points;
    assert.equal(ex.adversarial.points.length, tests);
    assert.equal(ex.adversarial.step, 3000);
    // The twelve test points easiest to attack get arrows, from the point (run.json's test inputs) to its attack.
    const run = JSON.parse(await page.evaluate(() => window.lab.exportRun()));
    const arrows = ex.adversarial.points.filter((p) => p.set === 'test').sort((a, b) => a.distance - b.distance).slice(0, 12)
      .map((p) => ({ from: run.test.inputs[p.index], to: p.point }));
    // Ink along each arrow's middle, in the input view's pixels.
    const inkAlong = () => page.evaluate((arrows) => {
      const plot = window.lab.inputPlot();
      const c = document.getElementById('input-view');
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const px = ([x, y]) => [
        plot.px[0] + ((x - plot.x[0]) / (plot.x[1] - plot.x[0])) * (plot.px[1] - plot.px[0]),
        plot.py[1] - ((y - plot.y[0]) / (plot.y[1] - plot.y[0])) * (plot.py[1] - plot.py[0]),
      ];
      let hits = 0;
      let samples = 0;
      for (const a of arrows) {
        const [x0, y0] = px(a.from);
        const [x1, y1] = px(a.to);
        if (Math.hypot(x1 - x0, y1 - y0) < 12) continue;
        for (const t of [0.35, 0.5, 0.65]) {
          samples++;
          const x = Math.round(x0 + t * (x1 - x0));
          const y = Math.round(y0 + t * (y1 - y0));
          let found = false;
          for (let dy = -2; dy <= 2 && !found; dy++) {
            for (let dx = -2; dx <= 2 && !found; dx++) {
              const k = 4 * ((y + dy) * c.width + (x + dx));
              found = data[k] < 70 && data[k + 1] < 70 && data[k + 2] < 80;
            }
          }
          hits += found ? 1 : 0;
        }
      }
      return { hits, samples };
    }, arrows);
    const on = await inkAlong();
    assert.ok(on.samples >= 15 && on.hits >= 0.8 * on.samples, `arrows drawn: ${JSON.stringify(on)}`);
    // The readout's adversarial numbers and the experiment chart.
    const tile = await page.locator('.metric[data-key="adv_median"] .value').innerText();
    assert.match(tile, /^0\.\d+$/);
    const counts = await colorCounts(page, 'experiment-view', [[28, 30, 36], [213, 94, 0], [0, 114, 178]], 30);
    assert.ok(counts.every((n) => n > 100), `the chart's lines: ${counts}`);
    // Off: no attack, no arrow (the same places now show no ink), no adversarial tiles.
    await page.click('#experiments-panel summary');
    await page.uncheck('[data-group=attack][name=on]');
    await within(20000, page.waitForFunction(() => window.lab.experiments().adversarial === null), 'the attacks gone');
    await page.evaluate(() => window.lab.redraw());
    const off = await inkAlong();
    assert.ok(off.hits <= 0.3 * off.samples, `no arrows: ${JSON.stringify(off)}`);
    assert.equal(await page.locator('.metric[data-key="adv_median"]').count(), 0);
    assert.equal(await page.locator('#experiment-figure').isVisible(), false);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('an embed offers the experiment chart as a view when its run has one, and only then', async () => {
  const { page, problems, context } = await openLab(env, '?preset=forgetting_blobs&embed', { width: 900, height: 560 });
  try {
    await page.evaluate(() => window.lab.step(2300));
    const button = page.locator('#embed-views button[data-view=experiment]');
    await button.click();
    await within(10000, page.waitForFunction(() => !document.getElementById('experiment-figure').hidden), 'the experiment view');
    assert.equal(await button.getAttribute('aria-pressed'), 'true');
    await page.evaluate(() => window.lab.redraw());
    const box = await page.locator('#experiment-view').boundingBox();
    assert.ok(box.width >= 300 && box.y + box.height <= 560, `the chart large and inside the frame: ${JSON.stringify(box)}`);
    // The arms' lines are drawn (all old data in ink, class means in green).
    const counts = await colorCounts(page, 'experiment-view', [[28, 30, 36], [0, 158, 115]], 30);
    assert.ok(counts.every((n) => n > 60), `the arms' lines: ${counts}`);
    // Panels and the other run-only figures stay out of the frame.
    assert.equal(await page.locator('#experiments-panel').isVisible(), false);
    assert.equal(await page.locator('#theory-figure').isVisible(), false);
    // Wide enough: the four charts of the arms.
    assert.equal(await page.getAttribute('#experiment-view', 'data-panels'), '4');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
  // A small frame shows the old classes' chart alone, as large as the frame allows, rather than four unreadable.
  const small = await openLab(env, '?preset=forgetting_blobs&embed&view=experiment', { width: 480, height: 360 });
  try {
    await small.page.evaluate(() => window.lab.step(2300));
    await within(10000, small.page.waitForFunction(() => !document.getElementById('experiment-figure').hidden), 'the experiment view');
    await small.page.evaluate(() => window.lab.redraw());
    assert.equal(await small.page.getAttribute('#experiment-view', 'data-panels'), '1');
    // Its lines are drawn (all old data in ink, herding in green).
    const counts = await colorCounts(small.page, 'experiment-view', [[28, 30, 36], [0, 158, 115]], 30);
    assert.ok(counts.every((n) => n > 60), `the arms' lines: ${counts}`);
    assert.deepEqual(small.problems, []);
  } finally {
    await small.context.close();
  }
  const plain = await openLab(env, '?preset=blobs&embed', { width: 900, height: 560 });
  try {
    await plain.page.evaluate(() => window.lab.step(10));
    assert.equal(await plain.page.locator('#embed-views button[data-view=experiment]').isVisible(), false);
    assert.equal(await plain.page.locator('#experiment-figure').isVisible(), false);
    assert.deepEqual(plain.problems, []);
  } finally {
    await plain.context.close();
  }
});
