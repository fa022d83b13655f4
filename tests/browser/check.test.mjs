// A network trained anywhere, checked on the page (issue 33): a NumPy file chosen in the Data panel opens into
// the views, the readout and a banner with the regime, with `lastlayer check`'s numbers to the bit — in a
// worker and on the main thread of a frame sandboxed with allow-scripts only; a bad file is refused with the
// command line's located message and the run survives; a long check can be cancelled; files dropped on the page
// are checked.
import assert from 'node:assert/strict';
import { test, launch, openLab, openSandboxed, waitMessage } from './harness.mjs';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const FIXTURES = join(ROOT, 'tests/fixtures/netfile');

let env;
test.before(async () => { env = await launch(); });
test.after(async () => { await env?.close(); });

/** `lastlayer check FILE --c C`'s report. */
function cliCheck(file, c) {
  const bin = ['target/debug/lastlayer', 'target/release/lastlayer'].map((b) => ROOT + b).find(existsSync);
  assert.ok(bin, 'the lastlayer binary is built (scripts/test builds it)');
  const out = mkdtempSync(join(tmpdir(), 'lastlayer-check-'));
  execFileSync(bin, ['check', join(FIXTURES, file), '--c', String(c), '--out', out, '--format', 'svg'], { stdio: 'ignore' });
  return JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
}

/** What must agree between the page and the command line. */
const essence = (r) => ({ final: r.final, history: r.history, extra: r.extra, regime: r.regime, notes: r.notes, shape: r.shape });

/** Chooses `files` in the Data panel's file input and waits for the page to show the check (or a message). */
async function choose(frame, files) {
  await frame.setInputFiles('#check-file', files.map((f) => join(FIXTURES, f)));
}

test('a network file opens into the views with the command line\'s numbers to the bit, then the lab returns', async () => {
  const { page, problems, context } = await openLab(env, '?preset=three_blobs');
  try {
    await page.evaluate(() => window.lab.request({ set_config: { svm: { c: 1 } } }));
    const before = await page.evaluate(() => window.lab.config().data.set);
    await choose(page, ['sklearn_mlp_digits.npz']);
    await page.waitForFunction(() => window.lab.checked() !== null, null, { timeout: 60000, polling: 100 });
    const report = await page.evaluate(() => window.lab.checked());
    assert.deepEqual(essence(report), essence(cliCheck('sklearn_mlp_digits.npz', 1)));
    // The readout and the banner say what the file shows.
    await page.waitForFunction(() => /Your network \(sklearn_mlp_digits\.npz\): The features are not linearly separable/.test(document.getElementById('banners').textContent), null, { timeout: 5000 });
    const shown = await page.evaluate(() => window.lab.metrics());
    assert.equal(shown.angle_wb_deg, report.final.angle_wb_deg);
    assert.match(await page.textContent('#banners'), /transposed to K × d/);
    // Nothing to train: Play says so, and the file stays.
    await page.click('#play');
    await waitMessage(page, /a network's file is shown: there is nothing to train/);
    assert.notEqual(await page.evaluate(() => window.lab.checked()), null);
    // Back to the lab: the run as it was.
    await page.click('#banners button:text("Back to the lab")');
    await page.waitForFunction(() => window.lab.checked() === null, null, { timeout: 10000 });
    assert.equal(await page.evaluate(() => window.lab.config().data.set), before);
    const back = await page.evaluate(() => window.lab.metrics());
    assert.notEqual(back.angle_wb_deg, report.final.angle_wb_deg);
    assert.equal(await page.evaluate(() => window.lab.experiments() && document.getElementById('banners').textContent.includes('Your network')), false);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a bad file gets the command line\'s message and the run survives; a long check can be cancelled; a dropped file is checked', async () => {
  const { page, problems, context } = await openLab(env, '?preset=blobs');
  try {
    const step = await page.evaluate(() => window.lab.metrics().then((m) => m.step));
    await choose(page, ['bad_nan.npz']);
    await waitMessage(page, /`features` \(shape \(30, 4\), '<f4'\) has a non-finite value \(NaN\) at \[4, 2\]\. Nothing was changed/);
    assert.equal(await page.evaluate(() => window.lab.checked()), null);
    assert.equal(await page.evaluate(() => window.lab.metrics().then((m) => m.step)), step);
    // At C = 10⁴ this file takes the solver 10⁵ passes: long enough to cancel from its banner.
    await page.evaluate(() => window.lab.request({ set_config: { svm: { c: 10000 } } }));
    await choose(page, ['sklearn_mlp_digits.npz']);
    await page.waitForFunction(() => /Checking a network's file: 1,797 × 2 features, 10 classes/.test(document.getElementById('banners').textContent), null, { timeout: 10000, polling: 50 });
    await page.click('#banners button:text("Cancel")');
    await waitMessage(page, /the check was cancelled/);
    assert.equal(await page.evaluate(() => window.lab.checked()), null);
    assert.doesNotMatch(await page.textContent('#banners'), /Checking a network's file/);
    // Files dropped on the page: anything else is explained; a network's file is checked.
    const drop = (name, bytes) => page.evaluate(([name, bytes]) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], name));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, [name, bytes]);
    await drop('notes.txt', [104, 105]);
    await waitMessage(page, /Drop a network's files/);
    await drop('savez.npz', [...readFileSync(join(FIXTURES, 'savez.npz'))]);
    await page.waitForFunction(() => window.lab.checked() !== null, null, { timeout: 60000, polling: 100 });
    assert.deepEqual((await page.evaluate(() => window.lab.checked())).shape.train, [30, 4]);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('in a frame sandboxed with allow-scripts only the check runs on the page with the same numbers', async () => {
  const { frame, page, problems, context } = await openSandboxed(env, 'check-sandbox.html', '?preset=blobs');
  try {
    assert.equal(await frame.evaluate(() => window.lab.engine()), 'main');
    const c = await frame.evaluate(() => window.lab.config().svm.c);
    await choose(frame, ['savez.npz']);
    await frame.waitForFunction(() => window.lab.checked() !== null, null, { timeout: 60000, polling: 100 });
    assert.deepEqual(essence(await frame.evaluate(() => window.lab.checked())), essence(cliCheck('savez.npz', c)));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
