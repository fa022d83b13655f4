// Accessibility checked by a real tool: axe-core (npm, pinned in package.json) finds no serious or critical
// violation on the page, in the light and the dark theme, with the lesson open, and in an embed.
import assert from 'node:assert/strict';
import { test, before, after, launch, openLab, settledHash } from './harness.mjs';
import { readFileSync } from 'node:fs';

const AXE = readFileSync(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

/** Runs axe on the page; returns the serious and critical violations, summarised. */
async function serious(page) {
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

test('axe-core: no serious or critical violation, light and dark, lesson open, embedded', async () => {
  for (const [theme, query] of [['light', ''], ['dark', ''], ['light', '?lesson=2'], ['dark', '?preset=three_blobs&embed']]) {
    const { page, problems, context } = await openLab(env, query, { width: 1280, height: 900 }, 1, { bypassCSP: true, colorScheme: theme });
    // (The lesson's second step plays: its picture keeps changing, so wait for the step instead.)
    if (query.includes('lesson')) await page.waitForFunction(() => document.getElementById('lesson').dataset.shown === '2', null, { timeout: 20000 });
    else await settledHash(page, 'input-view');
    const found = await serious(page);
    assert.deepEqual(found, [], `${theme} ${query}: ${found.join('\n')}`);
    assert.deepEqual(problems, []);
    await context.close();
  }
});
