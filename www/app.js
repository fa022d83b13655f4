// The page's shell: wires controls, the URL and the drawing loop to the wasm core. It computes nothing that
// belongs to the model; every number comes from the Rust `Lab` handle.
import init, { Lab } from './pkg/lastlayer.js';

const $ = (id) => document.getElementById(id);
let lab;
let pending = false;

function showMessage(text, kind = 'error') {
  const box = $('message');
  box.textContent = text;
  box.className = `message ${kind === 'warn' ? 'warn' : ''}`;
  box.hidden = false;
  clearTimeout(showMessage.timer);
  showMessage.timer = setTimeout(() => { box.hidden = true; }, 6000);
}

/** Applies a partial config; on error shows the message and keeps the previous state. */
function apply(partial) {
  try {
    lab.setConfig(JSON.stringify(partial));
    return true;
  } catch (e) {
    showMessage(e.message ?? String(e));
    syncControls();
    return false;
  } finally {
    requestDraw();
  }
}

function dataControls() {
  return Array.from(document.querySelectorAll('#data-controls [name]'));
}

function syncControls() {
  const data = JSON.parse(lab.config()).data;
  for (const el of dataControls()) {
    const value = data[el.name];
    if (el.value !== String(value)) el.value = value;
    const out = el.parentElement.querySelector('output');
    if (out) out.textContent = Number(value).toFixed(el.step.includes('.') ? el.step.split('.')[1].length : 0);
  }
  for (const label of document.querySelectorAll('[data-only]')) {
    label.hidden = !label.dataset.only.split(' ').includes(data.set);
  }
  const counts = JSON.parse(lab.counts());
  const total = (a) => a.reduce((s, v) => s + v, 0);
  $('counts').textContent = `${total(counts.train)} training points (${counts.train.join(' / ')} per class), ` +
    `${total(counts.test)} test points.`;
}

function fitCanvas(canvas) {
  const scale = window.devicePixelRatio || 1;
  const rect = canvas.getBoundingClientRect();
  const w = Math.max(1, Math.round(rect.width * scale));
  const h = Math.max(1, Math.round(rect.height * scale));
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  return scale;
}

function isDark() {
  const forced = document.documentElement.dataset.theme;
  return forced ? forced === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
}

function draw() {
  pending = false;
  const canvas = $('input-view');
  const scale = fitCanvas(canvas);
  try {
    lab.drawInput(canvas, scale, isDark(), $('show-test').checked);
  } catch (e) {
    showMessage(`Drawing failed: ${e.message ?? e}`);
  }
}

function requestDraw() {
  if (!pending) { pending = true; requestAnimationFrame(draw); }
}

function wire() {
  const sets = JSON.parse(Lab.dataSets());
  const select = $('data-set');
  for (const s of sets) select.add(new Option(s.title, s.id));
  select.addEventListener('change', () => {
    const current = JSON.parse(lab.config()).data;
    const defaults = sets.find((s) => s.id === select.value).defaults;
    // A new set starts from its own defaults but keeps the user's size, seed and split.
    apply({ data: { ...defaults, samples: current.samples, seed: current.seed, test_fraction: current.test_fraction } });
    syncControls();
  });
  for (const el of dataControls()) {
    if (el === select) continue;
    el.addEventListener('input', () => {
      if (el.value === '' || !el.checkValidity()) return;
      if (apply({ data: { [el.name]: Number(el.value) } })) syncControls();
    });
  }
  $('show-test').addEventListener('change', requestDraw);
  new ResizeObserver(requestDraw).observe($('input-view'));
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', requestDraw);
}

async function main() {
  await init();
  lab = new Lab();
  wire();
  syncControls();
  draw();
}

/** The scripting interface for embedders and tests (documented in the README). */
const ready = main();
window.lab = {
  ready,
  config: () => JSON.parse(lab.config()),
  setConfig: (partial) => { if (!apply(partial)) throw new Error('config rejected'); syncControls(); },
};
ready.catch((e) => showMessage(`Last Layer Lab could not start: ${e.message ?? e}`));
