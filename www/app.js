// Last Layer Lab's shell: wires controls, the URL and the animation loop to the wasm core. It computes nothing
// that belongs to the model: every number and every picture comes from the Rust `Lab` handle.
import init, { Lab } from './pkg/lastlayer.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const embed = params.has('embed');

let lab;
let options;
let presetList;
let playing = false;
let dirty = true;
let metrics = null;
let drawMs = 4;
const rate = { steps: 0, since: performance.now(), value: 0 };

// ---------------------------------------------------------------------------------------------------------
// Messages

function showMessage(text, kind = 'error') {
  const box = $('message');
  box.textContent = text;
  box.className = `message ${kind}`;
  box.hidden = false;
  clearTimeout(showMessage.timer);
  showMessage.timer = setTimeout(() => { box.hidden = true; }, 7000);
}

// ---------------------------------------------------------------------------------------------------------
// Configuration

const config = () => JSON.parse(lab.config());

/** Applies a partial config. On error shows the message, keeps the previous state and re-syncs controls. */
function apply(partial) {
  try {
    const restarted = lab.setConfig(JSON.stringify(partial));
    if (restarted) rate.steps = 0;
    afterChange();
    return true;
  } catch (e) {
    showMessage(e.message ?? String(e));
    sync();
    return false;
  }
}

function afterChange() {
  dirty = true;
  sync();
  scheduleUrlUpdate();
}

const logInputs = () => Array.from(document.querySelectorAll('input[data-log]'));

function fromSlider(el) {
  const [lo, hi] = el.dataset.log.split(' ').map(Number);
  return 10 ** (lo + Number(el.value) * (hi - lo));
}

function toSlider(el, value) {
  const [lo, hi] = el.dataset.log.split(' ').map(Number);
  return Math.min(1, Math.max(0, (Math.log10(Math.max(value, 1e-300)) - lo) / (hi - lo)));
}

function formatNumber(v, digits = 3) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(Math.max(0, digits - 1)).replace('e+', 'e');
  return Number(v.toPrecision(digits)).toString();
}

function groupOf(el) {
  return el.dataset.group ?? 'data';
}

/** Every control that edits a config field: data controls plus those tagged with data-group. */
function fieldControls() {
  return Array.from(document.querySelectorAll('#data-controls [name], [data-group][name]'));
}

function sync() {
  const c = config();
  for (const el of fieldControls()) {
    const value = c[groupOf(el)][el.name];
    if (el.dataset.log) {
      el.value = toSlider(el, value);
    } else if (el.type === 'checkbox') {
      el.checked = Boolean(value);
    } else if (document.activeElement !== el || el.tagName === 'SELECT') {
      el.value = value ?? '';
    }
    const out = el.parentElement.querySelector('output');
    if (out) out.textContent = el.dataset.log ? formatNumber(value) : Number(value).toFixed(el.step.includes('.') ? el.step.split('.')[1].length : 0);
  }
  for (const label of document.querySelectorAll('[data-only]')) {
    label.hidden = !label.dataset.only.split(' ').includes(c.data.set);
  }
  syncLayers(c.network.hidden);
  syncClassPicker();
  for (const b of document.querySelectorAll('#preset-list button')) b.setAttribute('aria-pressed', String(b.dataset.name === currentPreset));
}

// ---------------------------------------------------------------------------------------------------------
// Layers editor

function syncLayers(hidden) {
  const box = $('layers');
  const focused = document.activeElement?.dataset?.layer;
  box.replaceChildren();
  hidden.forEach((width, i) => {
    const row = document.createElement('div');
    row.className = 'layer';
    const last = i === hidden.length - 1;
    const label = document.createElement('label');
    label.textContent = last ? `Layer ${i + 1} — feature space` : `Layer ${i + 1}`;
    if (last) label.className = 'feature-layer';
    const input = document.createElement('input');
    input.type = 'number';
    input.min = '1';
    input.max = String(i === 0 ? options.limits.firstWidth : options.limits.width);
    input.value = String(width);
    input.dataset.layer = String(i);
    input.setAttribute('aria-label', `Width of hidden layer ${i + 1}${last ? ', the feature space' : ''}`);
    input.addEventListener('change', () => {
      const next = config().network.hidden.slice();
      next[i] = Number(input.value);
      apply({ network: { hidden: next } });
    });
    label.append(input);
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.textContent = '−';
    remove.disabled = hidden.length <= 1;
    remove.setAttribute('aria-label', `Remove hidden layer ${i + 1}`);
    remove.addEventListener('click', () => {
      const next = config().network.hidden.slice();
      next.splice(i, 1);
      apply({ network: { hidden: next } });
    });
    row.append(label, remove);
    box.append(row);
    if (focused === String(i)) input.focus();
  });
  $('add-layer').disabled = hidden.length >= options.limits.layers;
}

// ---------------------------------------------------------------------------------------------------------
// Point editing

let drawClass = 0;

function syncClassPicker() {
  const k = Math.max(2, Math.min(options.limits.classes, (metrics?.classes ?? 2) + 1));
  const box = $('class-pick');
  if (box.childElementCount === k) return;
  box.replaceChildren();
  for (let c = 0; c < k; c++) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = `swatch class-${c}`;
    b.setAttribute('role', 'radio');
    b.setAttribute('aria-checked', String(c === drawClass));
    b.setAttribute('aria-label', `class ${c}`);
    b.textContent = String(c);
    b.addEventListener('click', () => {
      drawClass = c;
      for (const o of box.children) o.setAttribute('aria-checked', String(o === b));
    });
    box.append(b);
  }
}

function canvasPoint(event, canvas) {
  const rect = canvas.getBoundingClientRect();
  const scale = canvas.width / rect.width;
  return [(event.clientX - rect.left) * scale, (event.clientY - rect.top) * scale, scale];
}

function editAt(event) {
  const canvas = $('input-view');
  const [x, y, scale] = canvasPoint(event, canvas);
  const erase = $('eraser').checked || event.button === 2 || event.altKey;
  try {
    const changed = erase ? lab.removePointAt(x, y, 14 * scale) : lab.addPointAt(x, y, drawClass);
    if (changed) {
      dirty = true;
      sync();
      scheduleUrlUpdate();
    }
  } catch (e) {
    showMessage(e.message ?? String(e));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Drawing

// CSS sizes of the canvases, kept by a ResizeObserver so that drawing never forces a layout.
const cssSize = new Map();

function fitCanvas(canvas) {
  const scale = window.devicePixelRatio || 1;
  let rect = cssSize.get(canvas);
  if (!rect) {
    rect = canvas.getBoundingClientRect();
    cssSize.set(canvas, { width: rect.width, height: rect.height });
  }
  const w = Math.max(1, Math.round(rect.width * scale));
  const h = Math.max(1, Math.round(rect.height * scale));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  return scale;
}

function isDark() {
  const forced = document.documentElement.dataset.theme;
  return forced ? forced === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
}

let framesSinceCharts = 0;

/**
 * Redraws the views and the readout; returns the time it took in milliseconds. While training (`fast`) the
 * heatmaps are coarser and the charts, which change slowly, are redrawn every fourth frame.
 */
function drawAll(fast = false) {
  const t0 = performance.now();
  const dark = isDark();
  const showTest = $('show-test').checked;
  try {
    metrics = JSON.parse(lab.metrics());
    const input = $('input-view');
    lab.drawInput(input, fitCanvas(input), dark, showTest, fast);
    const features = $('feature-view');
    lab.drawFeatures(features, fitCanvas(features), dark, showTest, $('projection').value, fast);
    if (!fast || ++framesSinceCharts >= 4) {
      framesSinceCharts = 0;
      const charts = $('charts-view');
      lab.drawCharts(charts, fitCanvas(charts), dark);
    }
  } catch (e) {
    showMessage(`Drawing failed: ${e.message ?? e}`);
  }
  // Numbers that change sixty times a second cannot be read, and each DOM write costs a page layout:
  // while training the readout refreshes about eight times a second.
  if (!fast || t0 - lastReadout > 120) {
    lastReadout = t0;
    updateReadout();
  }
  return performance.now() - t0;
}

let lastReadout = 0;

// ---------------------------------------------------------------------------------------------------------
// Readout and banners

const READOUT = [
  ['angle_wb_deg', 'angle [w; b]', '°', 'Angle between the network\'s last layer (weights and bias) and the SVM (regularised bias) on the same hidden features. The theory says it goes to 0 like 1/log t.'],
  ['angle_w_deg', 'angle w', '°', 'The same angle for the weights alone, without the bias.'],
  ['angle_wb_free_deg', 'angle to free-bias SVM', '°', 'Angle of [w; b] to the classic SVM whose bias is not penalised.'],
  ['log10_loss_train', 'training loss', '', 'Mean cross-entropy (or squared error) on the training points, shown as a power of ten: it can fall far below what a double holds.'],
  ['acc_train', 'train accuracy', '%', 'Share of training points the network classifies correctly.'],
  ['acc_test', 'test accuracy', '%', 'Share of held-out test points the network classifies correctly.'],
  ['offset_net', 'network offset', '', 'Signed distance −b/‖w‖ of the network\'s boundary from the origin of feature space (two classes).'],
  ['offset_svm', 'SVM offset', '', 'The same for the SVM: the paper says whole-network training puts the bias near the middle.'],
  ['margin_net', 'network margin', '', 'Smallest distance of a training point to the network\'s boundary in feature space, minᵢ yᵢfᵢ/‖w‖.'],
  ['margin_svm', 'SVM margin', '', 'The SVM\'s margin on the same features: the largest achievable by any line.'],
  ['agree_grid', 'agreement on the plane', '%', 'Share of the visible input plane where the network and the SVM (pulled back through the network) predict the same class.'],
  ['sv_overlap', 'support vectors = top-loss points', '%', 'Share of the SVM\'s support vectors among the same number of training points with the largest cross-entropy gradient weight.'],
  ['last_layer_norm', '‖W_L‖', '', 'Norm of the last layer: on separable data it grows like ln t.'],
  ['svm_rel_gap', 'SVM duality gap', '', 'The SVM solver\'s certified relative duality gap: how far from its exact optimum it can be.'],
];

function readoutValue(key, unit, m) {
  const v = m[key];
  if (key === 'log10_loss_train') {
    if (v === null || v === undefined) return '—';
    if (!Number.isFinite(v)) return '0';
    return v > -4 ? formatNumber(10 ** v) : `10^${v.toFixed(1)}`;
  }
  if (unit === '%') return v === null || v === undefined ? '—' : `${(100 * v).toFixed(1)}%`;
  if (unit === '°') return v === null || v === undefined ? '—' : `${formatNumber(v, 4)}°`;
  return formatNumber(v);
}

function buildReadout() {
  const box = $('readout');
  box.replaceChildren();
  for (const [key, name, , help] of READOUT) {
    const item = document.createElement('div');
    item.className = 'metric';
    item.tabIndex = 0;
    item.dataset.key = key;
    const id = `tip-${key}`;
    item.setAttribute('aria-describedby', id);
    item.innerHTML = '<span class="name"></span><span class="value">—</span><span class="tip" role="tooltip"></span>';
    item.querySelector('.name').textContent = name;
    const tip = item.querySelector('.tip');
    tip.id = id;
    tip.textContent = help;
    box.append(item);
  }
}

function setText(el, text) {
  if (el && el.textContent !== text) el.textContent = text;
}

function updateReadout() {
  if (!metrics) return;
  for (const [key, , unit] of READOUT) {
    setText(document.querySelector(`.metric[data-key="${key}"] .value`), readoutValue(key, unit, metrics));
  }
  setText($('step-count'), `step ${metrics.step.toLocaleString('en')}`);
  setText($('rate'), `${Math.round(rate.value).toLocaleString('en')} steps/s`);
  updateBanners();
}

function banner(kind, text) {
  const p = document.createElement('p');
  p.className = `banner ${kind}`;
  p.textContent = text;
  return p;
}

let bannerKey = '';

function updateBanners() {
  const m = metrics;
  const c = config();
  const items = [];
  const edit = lab.editMessage();
  if (edit) items.push(['warn', `Editing points: ${edit}. The run continues on the previous data until then.`]);
  if (m.diverged_at !== null && m.diverged_at !== undefined) {
    items.push(['error', `Training diverged at step ${m.diverged_at}: ${m.diverged_reason}. The weights kept their last finite values. Try a smaller learning rate (now ${formatNumber(c.train.learning_rate)}), then Reset.`]);
  }
  if (!m.separable) {
    items.push(['warn', 'The hidden features are not linearly separable (no line in feature space splits the classes), so the theorem does not apply: the SVM shown is a soft-margin compromise.']);
  } else if (c.train.loss !== 'cross_entropy') {
    items.push(['info', 'Squared error is outside the theorem: its last layer is not expected to become an SVM.']);
  } else if (c.train.weight_decay > 0) {
    items.push(['info', 'With weight decay the weights stop growing; the limit is a regularised solution, not the SVM.']);
  }
  if (m.svm_capped) items.push(['warn', `The SVM stopped at its epoch guard before its tolerance (relative gap ${formatNumber(m.svm_rel_gap)}).`]);
  if (m.svm_error) items.push(['error', `The SVM could not be fitted: ${m.svm_error}.`]);
  if (m.last_layer_only) items.push(['info', 'Only the last layer is training: the hidden layers are frozen.']);
  const key = JSON.stringify(items);
  if (key === bannerKey) return;
  bannerKey = key;
  $('banners').replaceChildren(...items.map(([k, t]) => banner(k, t)));
  if (m.diverged_at !== null && m.diverged_at !== undefined && playing) setPlaying(false);
}

// ---------------------------------------------------------------------------------------------------------
// Run control

function stepsPerFrame() {
  return Math.round(10 ** Number($('speed').value));
}

function setPlaying(on) {
  playing = on;
  dirty = true; // redraw at full quality when pausing
  $('play').textContent = on ? '❚❚ Pause' : '▶ Play';
  $('play').setAttribute('aria-pressed', String(on));
  rate.steps = 0;
  rate.since = performance.now();
}

function stepOnce(n = 1) {
  const done = lab.step(n);
  rate.steps += done;
  dirty = true;
  return done;
}

function resetRun() {
  try {
    lab.reset();
  } catch (e) {
    showMessage(e.message ?? String(e));
  }
  rate.steps = 0;
  afterChange();
}

// Milliseconds of training per frame: steered so that frames keep arriving every ~16.7 ms whatever the
// drawing and the browser's own painting cost on this machine.
let trainBudget = 4;
let lastFrame = performance.now();

function frame() {
  const start = performance.now();
  const gap = start - lastFrame;
  lastFrame = start;
  if (playing) {
    trainBudget = gap > 18 ? Math.max(0.5, trainBudget * 0.85) : Math.min(12, trainBudget + 0.25);
    const done = lab.trainFor(Math.min(trainBudget, Math.max(0.5, 15 - drawMs)), stepsPerFrame());
    rate.steps += done;
    if (done > 0) dirty = true;
  }
  const now = performance.now();
  if (now - rate.since >= 1000) {
    rate.value = (rate.steps * 1000) / (now - rate.since);
    rate.steps = 0;
    rate.since = now;
  }
  if (dirty) {
    dirty = false;
    const took = drawAll(playing);
    drawMs = 0.8 * drawMs + 0.2 * took;
  }
  requestAnimationFrame(frame);
}

// ---------------------------------------------------------------------------------------------------------
// URL, sharing, export

function shareUrl(extra = '') {
  const url = new URL(location.href);
  url.search = '';
  url.hash = '';
  url.searchParams.set('c', lab.config());
  return url.toString() + extra;
}

function scheduleUrlUpdate() {
  clearTimeout(scheduleUrlUpdate.timer);
  scheduleUrlUpdate.timer = setTimeout(() => {
    const url = new URL(shareUrl());
    if (embed) url.searchParams.set('embed', params.get('embed') ?? '');
    if (params.has('hide')) url.searchParams.set('hide', params.get('hide'));
    try {
      history.replaceState(null, '', url);
    } catch {
      // A sandboxed or opaque-origin frame may refuse; the state is still in the share dialog.
    }
  }, 400);
}

function download(name, blob) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

async function copy(text, field) {
  try {
    await navigator.clipboard.writeText(text);
    showMessage('Copied.', 'info');
  } catch {
    field.select();
    showMessage('Press Ctrl+C (⌘C) to copy the selected text.', 'info');
  }
}

// ---------------------------------------------------------------------------------------------------------
// Wiring

let currentPreset = null;

function loadPreset(name) {
  try {
    lab.loadPreset(name);
  } catch (e) {
    showMessage(e.message ?? String(e));
    return false;
  }
  currentPreset = name;
  const p = presetList.find((x) => x.name === name);
  $('preset-watch').textContent = p ? p.watch : '';
  rate.steps = 0;
  afterChange();
  return true;
}

function fillSelect(select, values, label = (v) => v.replaceAll('_', ' ')) {
  for (const v of values) select.add(new Option(label(v), v));
}

function wire() {
  options = JSON.parse(Lab.options());
  presetList = JSON.parse(Lab.presets());
  fillSelect($('data-set'), options.dataSets.map((s) => s.id), (id) => options.dataSets.find((s) => s.id === id).title);
  fillSelect(document.querySelector('[name=activation]'), options.activations);
  fillSelect(document.querySelector('[name=init]'), options.inits);
  fillSelect(document.querySelector('[data-group=train][name=loss]'), options.losses, (v) => (v === 'mse' ? 'squared error' : 'cross-entropy'));
  fillSelect(document.querySelector('[name=optimizer]'), options.optimizers);
  fillSelect(document.querySelector('[data-group=svm][name=loss]'), options.svmLosses);
  fillSelect(document.querySelector('[name=multiclass]'), options.multiclass);

  for (const p of presetList) {
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.name = p.name;
    b.textContent = p.title;
    b.setAttribute('role', 'listitem');
    b.setAttribute('aria-pressed', 'false');
    b.addEventListener('click', () => loadPreset(p.name));
    $('preset-list').append(b);
  }

  $('data-set').addEventListener('change', () => {
    const current = config().data;
    const defaults = options.dataSets.find((s) => s.id === $('data-set').value).defaults;
    currentPreset = null;
    if (defaults.set === 'custom') {
      // "Your own points" start from the points on screen.
      try {
        lab.importCsv(lab.exportCsv());
        afterChange();
      } catch (e) {
        showMessage(e.message ?? String(e));
        sync();
      }
      return;
    }
    apply({ data: { ...defaults, samples: current.samples, seed: current.seed, test_fraction: current.test_fraction } });
  });
  for (const el of fieldControls()) {
    if (el === $('data-set')) continue;
    const event = el.tagName === 'SELECT' || el.type === 'number' ? 'change' : 'input';
    el.addEventListener(event, () => {
      if (el.type === 'number' && (el.value === '' || !el.checkValidity())) {
        showMessage(`${el.name.replaceAll('_', ' ')}: ${el.validationMessage || 'not a valid number'}`);
        sync();
        return;
      }
      const value = el.dataset.log ? fromSlider(el) : el.tagName === 'SELECT' ? el.value : Number(el.value);
      currentPreset = null;
      apply({ [groupOf(el)]: { [el.name]: value } });
    });
  }
  $('add-layer').addEventListener('click', () => {
    const hidden = config().network.hidden;
    apply({ network: { hidden: [...hidden.slice(0, -1), hidden[hidden.length - 1] > 2 ? hidden[hidden.length - 1] : 8, hidden[hidden.length - 1]] } });
  });
  $('retrain').addEventListener('click', () => { lab.retrainLastLayer(); afterChange(); });

  $('play').addEventListener('click', () => setPlaying(!playing));
  $('step').addEventListener('click', () => stepOnce(1));
  $('reset').addEventListener('click', resetRun);
  $('speed').addEventListener('input', () => { $('speed-out').textContent = stepsPerFrame().toLocaleString('en'); });
  $('speed-out').textContent = stepsPerFrame().toLocaleString('en');

  const input = $('input-view');
  input.addEventListener('pointerdown', (e) => { if (e.isPrimary || e.button === 2) { e.preventDefault(); editAt(e); } });
  input.addEventListener('contextmenu', (e) => e.preventDefault());
  $('clear-points').addEventListener('click', () => { lab.clearPoints(); dirty = true; });
  $('export-csv').addEventListener('click', () => download('lastlayer-points.csv', new Blob([lab.exportCsv()], { type: 'text/csv' })));
  $('import-csv').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    e.target.value = '';
    if (!file) return;
    try {
      const n = lab.importCsv(await file.text());
      showMessage(`Imported ${n} points from ${file.name}.`, 'info');
      currentPreset = null;
      afterChange();
    } catch (err) {
      showMessage(`${file.name}: ${err.message ?? err}. Nothing was changed.`);
    }
  });

  $('show-test').addEventListener('change', () => { dirty = true; });
  $('projection').addEventListener('change', () => { dirty = true; });
  for (const b of document.querySelectorAll('button.png')) {
    b.addEventListener('click', () => $(b.dataset.canvas).toBlob((blob) => download(`lastlayer-${b.dataset.canvas}.png`, blob)));
  }
  $('export-run').addEventListener('click', () => download('lastlayer-run.json', new Blob([lab.exportRun()], { type: 'application/json' })));

  $('theme').addEventListener('click', () => {
    const order = ['auto', 'dark', 'light'];
    const now = document.documentElement.dataset.theme ?? 'auto';
    const next = order[(order.indexOf(now) + 1) % order.length];
    if (next === 'auto') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = next;
    $('theme').textContent = `◐ Theme: ${next}`;
    dirty = true;
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => { dirty = true; });

  $('share').addEventListener('click', () => {
    $('share-link').value = shareUrl();
    $('embed-code').value = `<iframe src="${shareUrl()}&embed" title="Last Layer Lab" width="100%" height="760" style="border:0" loading="lazy"></iframe>`;
    $('share-dialog').showModal();
  });
  $('copy-link').addEventListener('click', () => copy($('share-link').value, $('share-link')));
  $('copy-embed').addEventListener('click', () => copy($('embed-code').value, $('embed-code')));

  document.addEventListener('keydown', (e) => {
    const t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (t.closest?.('input, select, textarea, dialog') && !(t.type === 'range' || t.type === 'checkbox')) return;
    if (e.key === ' ' && !(t.tagName === 'BUTTON')) { e.preventDefault(); setPlaying(!playing); }
    else if (e.key === 'ArrowRight' && t.type !== 'range') { e.preventDefault(); stepOnce(1); }
    else if (e.key === 'r' || e.key === 'R') { e.preventDefault(); resetRun(); }
  });

  const observer = new ResizeObserver((entries) => {
    for (const e of entries) cssSize.set(e.target, { width: e.contentRect.width, height: e.contentRect.height });
    dirty = true;
  });
  for (const id of ['input-view', 'feature-view', 'charts-view']) observer.observe($(id));
}

function applyUrl() {
  if (params.has('c')) {
    try {
      lab.setConfig(params.get('c'));
    } catch (e) {
      showMessage(`The link's settings were not valid (${e.message ?? e}); showing the default experiment instead.`);
    }
  } else if (params.has('preset') && !loadPreset(params.get('preset'))) {
    showMessage(`Unknown experiment '${params.get('preset')}'; showing the default instead.`);
  }
  if (embed) {
    document.body.classList.add('embed');
    for (const part of (params.get('hide') ?? 'presets,data,network,svm,view').split(',')) {
      const panel = $(`${part.trim()}-panel`);
      if (panel) panel.hidden = true;
    }
  }
  if (params.has('play')) setPlaying(true);
}

async function main() {
  await init();
  lab = new Lab();
  wire();
  buildReadout();
  currentPreset = 'blobs';
  $('preset-watch').textContent = presetList.find((p) => p.name === 'blobs')?.watch ?? '';
  applyUrl();
  metrics = JSON.parse(lab.metrics());
  sync();
  dirty = false;
  drawMs = drawAll();
  requestAnimationFrame(frame);
}

// The scripting interface for embedders and tests (documented in the README).
const ready = main();
window.lab = {
  ready,
  play: () => setPlaying(true),
  pause: () => setPlaying(false),
  step: (n = 1) => { const done = stepOnce(n); dirty = true; return done; },
  reset: () => resetRun(),
  config: () => config(),
  setConfig: (partial) => {
    if (!apply(partial)) throw new Error('config rejected: see the message on the page');
    currentPreset = null;
  },
  metrics: () => JSON.parse(lab.metrics()),
  presets: () => presetList.map(({ name, title, watch, steps }) => ({ name, title, watch, steps })),
  loadPreset: (name) => { if (!loadPreset(name)) throw new Error(`unknown preset '${name}'`); },
  isPlaying: () => playing,
  redraw: (fast = false) => drawAll(fast),
};
ready.catch((e) => showMessage(`Last Layer Lab could not start: ${e.message ?? e}`));
