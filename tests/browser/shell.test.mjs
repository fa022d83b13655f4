// The shell stays thin (node only, no browser): every request of the engine's vocabulary (Rust's `Request`,
// read from src/request.rs) is spelled in at most one JavaScript file, no module is longer than about 300
// lines, and none of the rules, limits or texts the core owns — the ones the shell once copied and let drift —
// is written in JavaScript. The example post (embed-example.js) is a host page's code, not the shell's, and
// is left out.
import { test } from './harness.mjs';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';

const ROOT = new URL('../../', import.meta.url);
const WWW = new URL('www/', ROOT);
const files = readdirSync(WWW).filter((f) => f.endsWith('.js') && !f.startsWith('embed-example'));
const source = Object.fromEntries(files.map((f) => [f, readFileSync(new URL(f, WWW), 'utf8')]));

/** The variants of `pub enum Request` in src/request.rs, as the shell writes them (snake_case). */
function requestNames() {
  const text = readFileSync(new URL('src/request.rs', ROOT), 'utf8');
  const body = text.slice(text.indexOf('pub enum Request {'));
  const block = body.slice(0, body.indexOf('\n}\n'));
  const names = [...block.matchAll(/^ {4}([A-Z][A-Za-z]+)\b/gm)].map((m) => m[1]);
  return names.map((n) => n.replace(/[A-Z]/g, (c, i) => (i ? '_' : '') + c.toLowerCase()));
}

/** Whether `text` spells the request `name`: quoted, or as the key of an object literal (`{ name: …`).
 * Element ids (`$('play')`, the run bar's buttons) are not requests. */
function spells(source, name) {
  const text = source.replace(/\$\(\s*['"][^'"]*['"]\s*\)/g, '$(id)');
  const quoted = new RegExp(`['"\`]${name}['"\`]`);
  const key = new RegExp(`\\{\\s*${name}\\s*:`);
  return quoted.test(text) || key.test(text) || (name.includes('_') && new RegExp(`\\b${name}\\b`).test(text));
}

test('every request is spelled in at most one JavaScript file', () => {
  const names = requestNames();
  assert.ok(names.length >= 25 && names.includes('load_preset') && names.includes('step'), `read ${names}`);
  const spelled = {};
  for (const name of names) {
    const where = files.filter((f) => spells(source[f], name));
    if (where.length > 1) spelled[name] = where;
  }
  assert.deepEqual(spelled, {});
});

test('the check above can see a request spelled twice', () => {
  assert.ok(spells("client.request({ load_preset: name })", 'load_preset'));
  assert.ok(spells("request('play')", 'play'));
  assert.ok(spells("request({ step: 3 })", 'step'));
  assert.ok(!spells('page.step()', 'step'));
  assert.ok(!spells("$('step').addEventListener('click', once)", 'step'));
});

test('no shell module is longer than about 300 lines', () => {
  const long = files.map((f) => [f, source[f].split('\n').length]).filter(([, n]) => n > 300);
  assert.deepEqual(long, []);
});

test('no rule, limit or text the core owns is copied into JavaScript', () => {
  // Each was once in the shell: the main-thread limits, the digits' name and path, the core's error texts,
  // the new layer's width rule, the class picker's size rule, the data-source carry-over, the link's messages.
  const offenders = ['3e7', '1.2e8', "'digits'", 'digits.csv', 'are not loaded', 'Imported ', 'Points can be added', 'too heavy',
    'Training is held', '> 2 ? last', 'editClasses, ', 'test_fraction: current', "link's settings", 'Unknown experiment',
    'Nothing was changed', 'formatNumber(Number(value))'.replace('formatNumber', 'toFixed')];
  const found = [];
  for (const f of files) for (const o of offenders) if (source[f].includes(o)) found.push(`${f}: ${o}`);
  assert.deepEqual(found, []);
});
