// Last Layer Lab's shell: wires controls, the URL, the animation loop and the engine to the wasm core. It
// computes nothing that belongs to the model: every number, message and picture comes from Rust — the
// engine (LabEngine, in a Web Worker or in slices on this thread) and the view (LabView, here), which draws
// from the engine's snapshots.
import init, * as core from './pkg/lastlayer.js';
import { EngineDriver, fetchDigits } from './engine-driver.js';
import { attachProtocol } from './protocol.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const embed = params.has('embed');
const present = params.has('present');

let options;
let view;
let client;
let playing = false;
let dirty = true;
let drawMs = 4;
let currentPreset = null;
let inputProjection = 'pca';
const rate = { step: 0, at: performance.now(), value: 0 };

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

const errorText = (e) => e?.message ?? String(e);

// ---------------------------------------------------------------------------------------------------------
// The engine: in a Web Worker when one can start, else on this thread in slices of each animation frame.

class EngineClient {
  constructor(onSnapshot, onEvent) {
    this.onSnapshot = onSnapshot;
    this.onEvent = onEvent;
    this.nextId = 1;
    this.waiting = new Map();
    this.mode = null;
    this.worker = null;
    this.driver = null;
  }

  /** Starts the engine: a worker fed `module`, else (once `initialised`, this thread's instance) a driver here. */
  async start(module, base, initialised) {
    try {
      const worker = new Worker(new URL('worker.js', import.meta.url), { type: 'module' });
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the worker did not start')), 8000);
        worker.onmessage = (e) => {
          if (e.data?.ready) { clearTimeout(timer); resolve(); } else if (e.data?.failed) { clearTimeout(timer); reject(new Error(e.data.failed)); }
        };
        worker.onerror = (e) => { clearTimeout(timer); e.preventDefault?.(); reject(new Error(e.message || 'the worker failed')); };
        worker.postMessage({ init: module, base });
      });
      worker.onmessage = (e) => this.receive(e.data);
      worker.onerror = (e) => { e.preventDefault?.(); showMessage(`The training worker stopped: ${e.message || 'unknown error'}. Reload the page.`); };
      this.worker = worker;
      this.mode = 'worker';
    } catch {
      // An iframe sandboxed without allow-same-origin, or a CSP without workers: train here instead.
      await initialised;
      this.driver = new EngineDriver(core, (m) => queueMicrotask(() => this.receive(m)), {
        onMainThread: true,
        loadDigits: () => fetchDigits(base),
      });
      this.mode = 'main';
    }
  }

  request(op, args) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const message = { id, op, args };
      if (this.worker) this.worker.postMessage(message);
      else this.driver.handle(message);
    });
  }

  receive(m) {
    if (m.event) {
      this.onEvent(m);
      return;
    }
    const w = this.waiting.get(m.id);
    this.waiting.delete(m.id);
    if (m.snapshot) this.onSnapshot(m.snapshot);
    if (!w) return;
    if (m.ok) w.resolve(m.value);
    else w.reject(new Error(m.error));
  }

  /** Main-thread mode: work for up to `budgetMs` of this frame. */
  pump(budgetMs) {
    if (this.driver && this.driver.busy()) this.driver.pump(budgetMs);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Configuration

const config = () => JSON.parse(view.config());

/** Applies a partial config. On error shows the message, keeps the previous state, re-syncs the controls,
 * and returns the message (null on success). */
async function apply(partial) {
  try {
    await client.request('setConfig', JSON.stringify(partial));
    afterChange();
    return null;
  } catch (e) {
    showMessage(errorText(e));
    sync();
    return errorText(e);
  }
}

function afterChange() {
  dirty = true;
  sync();
  scheduleUrlUpdate();
}

const rangeOf = (group, name) => options.ranges.find((r) => r.group === group && r.name === name);

function logBounds(el) {
  const r = rangeOf(groupOf(el), el.name);
  return [Math.log10(r.min), Math.log10(r.max)];
}

function fromSlider(el) {
  const [lo, hi] = logBounds(el);
  return 10 ** (lo + Number(el.value) * (hi - lo));
}

function toSlider(el, value) {
  const [lo, hi] = logBounds(el);
  return Math.min(1, Math.max(0, (Math.log10(Math.max(value, 1e-300)) - lo) / (hi - lo)));
}

function groupOf(el) {
  return el.dataset.group ?? 'data';
}

/** Every control that edits a config field. */
function fieldControls() {
  return Array.from(document.querySelectorAll('#data-controls [name], [data-group][name]'));
}

/** Applies the core's ranges to the controls (the one source of every minimum, maximum and step). */
function applyRanges() {
  for (const el of fieldControls()) {
    const r = rangeOf(groupOf(el), el.name);
    if (!r) continue;
    if (r.log) {
      el.dataset.log = 'true';
      el.type = 'range';
      el.min = '0';
      el.max = '1';
      el.step = '0.001';
    } else if (el.type !== 'select-one') {
      el.min = String(r.min);
      if (el.type === 'range' || r.max < 1e12) el.max = String(r.max);
      el.step = String(r.step);
    }
  }
}

function sync() {
  const c = config();
  if (!c) return;
  const source = options.sources.find((s) => s.id === c.data.set);
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
    if (out) out.textContent = core.formatNumber(Number(value));
  }
  for (const label of document.querySelectorAll('#data-controls [data-knob]')) {
    label.hidden = !source?.knobs.includes(label.dataset.knob);
  }
  const tableOption = $('data-set').querySelector('option[value=table]');
  if (tableOption) tableOption.hidden = c.data.set !== 'table';
  syncLayers(c.network.hidden);
  syncClassPicker();
  syncProjection();
  for (const b of document.querySelectorAll('#preset-list button')) b.setAttribute('aria-current', String(b.dataset.name === currentPreset));
  $('gallery-figure').hidden = !view.hasGallery();
  $('edit-fieldset').disabled = view.inputWidth() !== 2 && view.inputWidth() !== 0;
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
  const classes = JSON.parse(view.metrics()).classes || 2;
  const k = Math.max(2, Math.min(options.limits.editClasses, classes + 1));
  const box = $('class-pick');
  if (box.childElementCount === k) return;
  box.replaceChildren();
  drawClass = Math.min(drawClass, k - 1);
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

async function editAt(event) {
  const [x, y, scale] = canvasPoint(event, $('input-view'));
  if (view.inputWidth() !== 2) {
    showMessage('Points can be added or removed only on 2-D data.', 'info');
    return;
  }
  const at = view.dataAt(x, y);
  if (!at) return;
  const erase = $('eraser').checked || event.button === 2 || event.altKey;
  try {
    const changed = erase
      ? await client.request('removePoint', { x: at[0], y: at[1], reach: 14 * scale * view.dataPerPixel() })
      : await client.request('addPoint', { x: at[0], y: at[1], label: drawClass });
    if (changed) {
      currentPreset = null;
      afterChange();
    }
  } catch (e) {
    showMessage(errorText(e));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Drawing

// CSS sizes of the canvases, kept by a ResizeObserver so that drawing never forces a layout.
const cssSize = new Map();

function fitCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  let box = cssSize.get(canvas);
  if (!box) {
    // Until the ResizeObserver reports: the content box (inside the border), which may be fractional.
    const style = getComputedStyle(canvas);
    const rect = canvas.getBoundingClientRect();
    const bx = parseFloat(style.borderLeftWidth) + parseFloat(style.borderRightWidth);
    const by = parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth);
    box = { width: rect.width - bx, height: rect.height - by };
    cssSize.set(canvas, box);
  }
  // The drawing buffer is the content box in device pixels, so that one buffer pixel is one screen pixel
  // whatever the zoom or the box's fractional size.
  const w = Math.max(1, Math.round(box.width * dpr));
  const h = Math.max(1, Math.round(box.height * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  return dpr * (present ? 1.45 : 1);
}

function isDark() {
  const forced = document.documentElement.dataset.theme;
  return forced ? forced === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
}

const shown = (id) => !$(id).closest('[hidden]') && $(id).offsetParent !== null;
let framesSinceCharts = 0;
let lastReadout = 0;
/** While playing, the views waiting to be drawn (oldest first) and what each took to draw, in ms. */
const pendingViews = new Set();
const viewCost = new Map();
/** While playing, views are drawn in turn, oldest first, until this much of a frame is spent (at least one). */
const FRAME_DRAW_BUDGET_MS = 12;

function drawView(id, dark, showTest, fast) {
  const c = $(id);
  const t = performance.now();
  if (id === 'input-view') view.drawInput(c, fitCanvas(c), dark, showTest, inputProjection, fast);
  else if (id === 'feature-view') view.drawFeatures(c, fitCanvas(c), dark, showTest, $('projection').value, fast);
  else if (id === 'charts-view') view.drawCharts(c, fitCanvas(c), dark);
  else view.drawGallery(c, fitCanvas(c), dark);
  const took = performance.now() - t;
  viewCost.set(id, 0.7 * (viewCost.get(id) ?? took) + 0.3 * took);
  return took;
}

/** Redraws the views and the readout; returns the milliseconds it took. While training (`fast`) the heatmaps
 * are coarser, the charts and gallery, which change slowly, are redrawn every fourth frame, and on a machine
 * too slow to draw every view within a frame's budget the views take turns (the rest wait for the next). */
function drawAll(fast = false) {
  const t0 = performance.now();
  const dark = isDark();
  const showTest = $('show-test').checked;
  const wanted = ['input-view', 'feature-view'];
  const slowViews = !fast || ++framesSinceCharts >= 4;
  if (slowViews) {
    framesSinceCharts = 0;
    wanted.push('charts-view');
    if (view.hasGallery()) wanted.push('gallery-view');
  }
  for (const id of wanted) {
    // Re-inserted at the end: a view drawn last frame waits behind one that was not.
    if (shown(id) && !pendingViews.has(id)) pendingViews.add(id);
  }
  try {
    let spent = 0;
    for (const id of [...pendingViews]) {
      if (fast && spent > 0 && spent + (viewCost.get(id) ?? 0) > FRAME_DRAW_BUDGET_MS) break;
      pendingViews.delete(id);
      if (shown(id)) spent += drawView(id, dark, showTest, fast);
    }
  } catch (e) {
    pendingViews.clear();
    showMessage(`Drawing failed: ${errorText(e)}`);
  }
  // Numbers that change sixty times a second cannot be read, and each DOM write costs a page layout: while
  // training the readout refreshes about eight times a second.
  if (!fast || t0 - lastReadout > 120) {
    lastReadout = t0;
    updateReadout();
  }
  return performance.now() - t0;
}

// ---------------------------------------------------------------------------------------------------------
// Readout and banners (their texts come from Rust)

function buildReadout() {
  const box = $('readout');
  box.replaceChildren();
  for (const item of JSON.parse(view.readout())) {
    const el = document.createElement('div');
    el.className = 'metric';
    el.tabIndex = 0;
    el.dataset.key = item.key;
    const id = `tip-${item.key}`;
    el.setAttribute('aria-describedby', id);
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = item.name;
    const value = document.createElement('span');
    value.className = 'value';
    value.textContent = item.value;
    const tip = document.createElement('span');
    tip.className = 'tip';
    tip.setAttribute('role', 'tooltip');
    tip.id = id;
    tip.textContent = item.help;
    el.append(name, value, tip);
    box.append(el);
  }
}

function setText(el, text) {
  if (el && el.textContent !== text) el.textContent = text;
}

function updateReadout() {
  for (const item of JSON.parse(view.readout())) {
    setText(document.querySelector(`.metric[data-key="${item.key}"] .value`), item.value);
  }
  const step = view.step();
  setText($('step-count'), `step ${step.toLocaleString('en')}`);
  setText($('rate'), `${Math.round(rate.value).toLocaleString('en')} steps/s`);
  const compact = JSON.parse(view.readout()).find((r) => r.key === 'angle_wb_deg');
  setText($('compact-angle'), compact ? `angle ${compact.value}` : '');
  updateBanners();
}

let bannerKey = '';

function updateBanners() {
  const items = JSON.parse(view.banners());
  if (heavyHeld) items.push({ kind: 'warn', text: 'Training is held: this run is too heavy for this page\'s main thread (no Web Worker could start here).', action: 'Run anyway' });
  const key = JSON.stringify(items);
  if (key === bannerKey) return;
  bannerKey = key;
  $('banners').replaceChildren(...items.map((b) => {
    const p = document.createElement('p');
    p.className = `banner ${b.kind}`;
    p.textContent = b.text;
    if (b.action) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = b.action;
      button.addEventListener('click', async () => {
        await client.request('allowHeavy');
        heavyHeld = false;
        updateBanners();
      });
      p.append(' ', button);
    }
    return p;
  }));
  // In an embed the banners take room from the views: lay them out again at once.
  if (embed) layoutEmbed();
}

let heavyHeld = false;

// ---------------------------------------------------------------------------------------------------------
// Run control

function stepsPerFrame() {
  return Math.round(10 ** Number($('speed').value));
}

async function setPlaying(on) {
  if (on === playing) return;
  try {
    await client.request(on ? 'play' : 'pause');
    playing = on;
  } catch (e) {
    playing = false;
    if (client.mode === 'main') heavyHeld = true;
    showMessage(errorText(e));
  }
  dirty = true; // redraw at full quality when pausing
  $('play').textContent = playing ? '❚❚ Pause' : '▶ Play';
  $('play').setAttribute('aria-pressed', String(playing));
  updateBanners();
}

async function stepOnce(n = 1) {
  try {
    if (playing) await setPlaying(false);
    const done = await client.request('step', n);
    dirty = true;
    return done;
  } catch (e) {
    showMessage(errorText(e));
    return 0;
  }
}

async function resetRun() {
  try {
    await client.request('reset');
  } catch (e) {
    showMessage(errorText(e));
  }
  afterChange();
}

async function loadPreset(name) {
  try {
    await client.request('loadPreset', name);
  } catch (e) {
    showMessage(errorText(e));
    return false;
  }
  currentPreset = name;
  const p = options.presets.find((x) => x.name === name);
  $('preset-watch').textContent = p ? p.watch : '';
  afterChange();
  return true;
}

let snapshotInFlight = false;
let lastFrame = performance.now();

function frame(now) {
  const gap = now - lastFrame;
  lastFrame = now;
  if (client.mode === 'main') {
    // Share each frame between drawing and training: what is left of ~13 ms after drawing.
    client.pump(Math.max(1, Math.min(10, 13 - drawMs - Math.max(0, gap - 17))));
  }
  if (!snapshotInFlight) {
    snapshotInFlight = true;
    client.request('snapshot').catch(() => {}).finally(() => { snapshotInFlight = false; });
  }
  if (now - rate.at >= 1000) {
    const step = view.step();
    rate.value = Math.max(0, (step - rate.step) * 1000 / (now - rate.at));
    rate.step = step;
    rate.at = now;
  }
  if (embed) {
    // The strip above the views can change height (its readout fills in, banners come and go): keep the
    // views fitting the frame.
    const key = `${innerWidth}x${innerHeight}:${$('embed-strip').offsetHeight}:${$('banners').offsetHeight}`;
    if (key !== layoutEmbed.key) {
      layoutEmbed.key = key;
      layoutEmbed();
    }
  }
  if (dirty) {
    const took = drawAll(playing);
    // Views left for the next frame keep the picture dirty.
    dirty = pendingViews.size > 0;
    drawMs = 0.8 * drawMs + 0.2 * took;
  }
  requestAnimationFrame(frame);
}

// ---------------------------------------------------------------------------------------------------------
// URL, sharing, export

function shareUrl() {
  const url = new URL(location.href);
  url.search = '';
  url.hash = '';
  url.searchParams.set('c', view.config());
  return url.toString();
}

function embedSnippet() {
  return `<iframe src="${shareUrl()}&embed" title="Last Layer Lab" width="100%" height="480" style="border:0" sandbox="allow-scripts allow-popups" loading="lazy"></iframe>`;
}

function scheduleUrlUpdate() {
  clearTimeout(scheduleUrlUpdate.timer);
  scheduleUrlUpdate.timer = setTimeout(() => {
    const url = new URL(shareUrl());
    for (const key of ['embed', 'hide', 'view', 'present', 'lesson']) if (params.has(key)) url.searchParams.set(key, params.get(key) ?? '');
    if (lessonIndex !== null) url.searchParams.set('lesson', String(lessonIndex + 1));
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
// Projections of wide data

function syncProjection() {
  const width = view.inputWidth();
  $('input-projection-field').hidden = width <= 2;
  if (width <= 2) return;
  const names = JSON.parse(view.featureNames());
  for (const id of ['feature-x', 'feature-y']) {
    const select = $(id);
    if (select.options.length !== names.length) {
      select.replaceChildren(...names.map((n, i) => new Option(n, String(i))));
      select.value = id === 'feature-x' ? '0' : '1';
    }
  }
  const pair = $('input-projection').value === 'features';
  $('feature-x').parentElement.hidden = !pair;
  $('feature-y').parentElement.hidden = !pair;
  inputProjection = pair ? `features:${$('feature-x').value},${$('feature-y').value}` : 'pca';
}

// ---------------------------------------------------------------------------------------------------------
// Lesson and embedding

let lessonIndex = null;

async function showLesson(index) {
  const steps = options.lesson;
  if (index < 0 || index >= steps.length) return;
  lessonIndex = index;
  const s = steps[index];
  $('lesson').hidden = false;
  delete $('lesson').dataset.shown;
  $('lesson-count').textContent = `Step ${index + 1} of ${steps.length}`;
  $('lesson-title').textContent = s.title;
  $('lesson-text').textContent = s.text;
  $('lesson-back').disabled = index === 0;
  $('lesson-next').textContent = index === steps.length - 1 ? 'Finish' : 'Next →';
  for (const f of document.querySelectorAll('.focus')) f.classList.remove('focus');
  await setPlaying(false);
  if (s.preset) await loadPreset(s.preset);
  if (s.config) await apply(JSON.parse(s.config));
  if (s.advance) await stepOnce(s.advance);
  const target = { input: 'input-view', feature: 'feature-view', charts: 'charts-view', readout: 'readout' }[s.focus];
  const el = $(target);
  (el.closest('figure') ?? el).classList.add('focus');
  el.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  if (s.play) await setPlaying(true);
  scheduleUrlUpdate();
  $('lesson-next').focus();
  // Set up: tests and presenters can tell the step is in place.
  $('lesson').dataset.shown = String(index + 1);
}

function closeLesson() {
  $('lesson').hidden = true;
  lessonIndex = null;
  for (const f of document.querySelectorAll('.focus')) f.classList.remove('focus');
  scheduleUrlUpdate();
  $('lesson-open').focus();
}

/** Embed mode: choose the views the frame has room for and size them to fit without scrolling. */
function layoutEmbed() {
  if (!embed) return;
  const asked = (params.get('view') ?? '').split(',').map((v) => v.trim()).filter(Boolean);
  const wanted = asked.length ? asked : ['input', 'feature', 'charts'];
  // The room below the strip and the banners, minus the page's own padding below the views.
  const top = Math.max($('embed-strip').getBoundingClientRect().bottom, $('banners').getBoundingClientRect().bottom);
  const W = document.documentElement.clientWidth - 12;
  const H = window.innerHeight - top - 16;
  const plan = [];
  // As many square views side by side as fit while each stays large (at least 240 px and 60% of the room's
  // shorter side); the others are a tap away.
  const sideFor = (n) => Math.floor(Math.min(H, (W - (n - 1) * 8) / n));
  let fits = 1;
  for (let n = wanted.length; n > 1; n--) {
    if (sideFor(n) >= Math.max(240, 0.6 * Math.min(H, W))) { fits = n; break; }
  }
  const chosen = embedLayout.current && wanted.includes(embedLayout.current)
    ? [embedLayout.current, ...wanted.filter((v) => v !== embedLayout.current)].slice(0, fits)
    : wanted.slice(0, fits);
  const side = Math.max(120, sideFor(chosen.length));
  for (const name of ['input', 'feature', 'charts']) {
    const fig = $(`${name}-figure`);
    const on = chosen.includes(name);
    fig.hidden = !on;
    if (on) {
      plan.push(name);
      const canvas = fig.querySelector('canvas');
      canvas.style.width = `${side}px`;
      canvas.style.height = `${side}px`;
    }
  }
  for (const b of document.querySelectorAll('#embed-views button')) {
    b.hidden = !wanted.includes(b.dataset.view) || wanted.length <= fits;
    b.setAttribute('aria-pressed', String(plan.includes(b.dataset.view)));
  }
  dirty = true;
}
const embedLayout = { current: null };

// ---------------------------------------------------------------------------------------------------------
// Wiring

function fillSelect(select, items) {
  select.replaceChildren(...items.map((item) => new Option(item.title, item.id)));
}

function wire() {
  fillSelect($('data-set'), options.sources);
  fillSelect(document.querySelector('[name=activation]'), options.activations);
  fillSelect(document.querySelector('[name=init]'), options.inits);
  fillSelect(document.querySelector('[data-group=train][name=loss]'), options.losses);
  fillSelect(document.querySelector('[name=optimizer]'), options.optimizers);
  fillSelect(document.querySelector('[data-group=svm][name=loss]'), options.svmLosses);
  fillSelect(document.querySelector('[name=multiclass]'), options.multiclass);
  applyRanges();

  for (const p of options.presets) {
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.name = p.name;
    b.textContent = p.title;
    b.setAttribute('aria-current', 'false');
    b.addEventListener('click', () => loadPreset(p.name));
    const item = document.createElement('li');
    item.append(b);
    $('preset-list').append(item);
  }

  $('data-set').addEventListener('change', async () => {
    const current = config().data;
    const source = options.sources.find((s) => s.id === $('data-set').value);
    currentPreset = null;
    if (source.id === 'custom') {
      // "Your own points" start from the points on screen (when they are 2-D).
      try {
        const text = await client.request('exportCsv');
        await client.request('importCsv', { name: 'points.csv', text });
        await client.request('setConfig', JSON.stringify({ data: { standardize: current.standardize } }));
        afterChange();
      } catch (e) {
        showMessage(errorText(e));
        sync();
      }
      return;
    }
    apply({ data: { ...source.defaults, seed: current.seed, test_fraction: current.test_fraction, samples: source.generated ? current.samples : source.defaults.samples } });
  });
  for (const el of fieldControls()) {
    if (el === $('data-set')) continue;
    const event = el.tagName === 'SELECT' || el.type === 'number' || el.type === 'checkbox' ? 'change' : 'input';
    el.addEventListener(event, () => {
      if (el.type === 'number' && (el.value === '' || !el.checkValidity())) {
        showMessage(`${el.name.replaceAll('_', ' ')}: ${el.validationMessage || 'not a valid number'}`);
        sync();
        return;
      }
      const value = el.dataset.log ? fromSlider(el) : el.type === 'checkbox' ? el.checked : el.tagName === 'SELECT' ? el.value : Number(el.value);
      currentPreset = null;
      apply({ [groupOf(el)]: { [el.name]: value } });
    });
  }
  $('add-layer').addEventListener('click', () => {
    const hidden = config().network.hidden;
    const last = hidden[hidden.length - 1];
    apply({ network: { hidden: [...hidden.slice(0, -1), last > 2 ? last : 8, last] } });
  });
  $('retrain').addEventListener('click', async () => { await client.request('retrain'); afterChange(); });

  $('play').addEventListener('click', () => setPlaying(!playing));
  $('step').addEventListener('click', () => stepOnce(1));
  $('reset').addEventListener('click', resetRun);
  for (const id of ['embed-play', 'embed-step', 'embed-reset']) {
    $(id).addEventListener('click', () => ({ 'embed-play': () => setPlaying(!playing), 'embed-step': () => stepOnce(1), 'embed-reset': resetRun })[id]());
  }
  const speed = () => {
    $('speed-out').textContent = stepsPerFrame().toLocaleString('en');
    const top = Number($('speed').value) >= Number($('speed').max);
    client.request('speed', top ? 0 : stepsPerFrame() * 60);
  };
  $('speed').addEventListener('input', speed);
  $('speed-out').textContent = stepsPerFrame().toLocaleString('en');

  const input = $('input-view');
  input.addEventListener('pointerdown', (e) => { if (e.isPrimary || e.button === 2) { e.preventDefault(); editAt(e); } });
  input.addEventListener('contextmenu', (e) => e.preventDefault());
  $('clear-points').addEventListener('click', async () => {
    try { await client.request('clearPoints'); afterChange(); } catch (e) { showMessage(errorText(e)); }
  });
  $('export-csv').addEventListener('click', async () => {
    const text = await client.request('exportCsv');
    download('lastlayer-data.csv', new Blob([text], { type: 'text/csv' }));
  });
  $('import-csv').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    e.target.value = '';
    if (!file) return;
    try {
      const n = await client.request('importCsv', { name: file.name, text: await file.text() });
      showMessage(`Imported ${n} points from ${file.name}; inputs are standardised (switch in Data).`, 'info');
      currentPreset = null;
      afterChange();
    } catch (err) {
      showMessage(`${file.name}: ${errorText(err)}. Nothing was changed.`);
    }
  });

  $('show-test').addEventListener('change', () => { dirty = true; });
  $('projection').addEventListener('change', () => { dirty = true; });
  for (const id of ['input-projection', 'feature-x', 'feature-y']) $(id).addEventListener('change', () => { syncProjection(); dirty = true; });
  for (const b of document.querySelectorAll('button.png')) {
    b.addEventListener('click', () => $(b.dataset.canvas).toBlob((blob) => download(`lastlayer-${b.dataset.canvas}.png`, blob)));
  }
  $('export-run').addEventListener('click', async () => {
    const text = await client.request('exportRun');
    download('lastlayer-run.json', new Blob([text], { type: 'application/json' }));
  });

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
    $('embed-code').value = embedSnippet();
    $('share-note').hidden = config().data.set !== 'table';
    $('share-dialog').showModal();
  });
  $('copy-link').addEventListener('click', () => copy($('share-link').value, $('share-link')));
  $('copy-embed').addEventListener('click', () => copy($('embed-code').value, $('embed-code')));
  $('open-full').addEventListener('click', (e) => {
    e.preventDefault();
    // Opens the same run as the full lab; where popups are not allowed, nothing happens.
    try { window.open(shareUrl(), '_blank', 'noopener'); } catch { /* popups blocked */ }
  });

  $('lesson-open').addEventListener('click', () => showLesson(lessonIndex ?? 0));
  $('lesson-back').addEventListener('click', () => showLesson(lessonIndex - 1));
  $('lesson-next').addEventListener('click', () => (lessonIndex === options.lesson.length - 1 ? closeLesson() : showLesson(lessonIndex + 1)));
  $('lesson-close').addEventListener('click', closeLesson);
  for (const b of document.querySelectorAll('#embed-views button')) {
    b.addEventListener('click', () => { embedLayout.current = b.dataset.view; layoutEmbed(); });
  }

  document.addEventListener('keydown', (e) => {
    const t = e.target;
    if (e.key === 'Escape' && !$('lesson').hidden) { e.preventDefault(); closeLesson(); return; }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (t.closest?.('input, select, textarea, dialog') && !(t.type === 'range' || t.type === 'checkbox')) return;
    if (e.key === ' ' && t.tagName !== 'BUTTON') { e.preventDefault(); setPlaying(!playing); }
    else if (e.key === 'ArrowRight' && t.type !== 'range') { e.preventDefault(); stepOnce(1); }
    else if (e.key === 'r' || e.key === 'R') { e.preventDefault(); resetRun(); }
  });

  const observer = new ResizeObserver((entries) => {
    for (const e of entries) {
      const box = e.contentBoxSize?.[0] ?? { inlineSize: e.contentRect.width, blockSize: e.contentRect.height };
      cssSize.set(e.target, { width: box.inlineSize, height: box.blockSize });
    }
    dirty = true;
  });
  for (const id of ['input-view', 'feature-view', 'charts-view', 'gallery-view']) observer.observe($(id), { box: 'content-box' });
  if (embed) window.addEventListener('resize', layoutEmbed);
}

async function applyUrl() {
  if (params.has('c')) {
    try {
      await client.request('setConfig', params.get('c'));
      currentPreset = null;
    } catch (e) {
      showMessage(`The link's settings were not valid (${errorText(e)}); showing the default experiment instead.`);
    }
  } else if (params.has('preset')) {
    if (!(await loadPreset(params.get('preset')))) showMessage(`Unknown experiment '${params.get('preset')}'; showing the default instead.`);
  }
  if (embed) {
    document.body.classList.add('embed');
    for (const part of (params.get('hide') ?? 'presets,data,network,svm,view').split(',')) {
      const panel = $(`${part.trim()}-panel`);
      if (panel) panel.hidden = true;
    }
    layoutEmbed();
  }
  if (present) document.body.classList.add('present');
}

async function compileWasm(url) {
  try {
    return await WebAssembly.compileStreaming(fetch(url));
  } catch {
    // A host that serves .wasm with another MIME type: compile from the bytes.
    const response = await fetch(url);
    return WebAssembly.compile(await response.arrayBuffer());
  }
}

async function main() {
  const module = await compileWasm(new URL('pkg/lastlayer_bg.wasm', import.meta.url));
  // The worker starts (and instantiates the same compiled module) while this thread instantiates its own.
  const initialised = init({ module_or_path: module });
  client = new EngineClient((bytes) => {
    if (view.apply(bytes)) {
      rate.step = view.step();
    }
    dirty = true;
  }, (event) => {
    if (event.reason === 'heavy') heavyHeld = true;
    playing = false;
    $('play').textContent = '▶ Play';
    $('play').setAttribute('aria-pressed', 'false');
    dirty = true;
  });
  const starting = client.start(module, location.href, initialised);
  await initialised;
  options = JSON.parse(core.options());
  view = new core.LabView();
  await starting;
  document.body.dataset.engine = client.mode;
  $('engine-mode').textContent = client.mode === 'worker' ? 'training in a Web Worker' : 'training on the page (no worker here)';
  await client.request('snapshot');
  wire();
  buildReadout();
  currentPreset = 'blobs';
  $('preset-watch').textContent = options.presets.find((p) => p.name === 'blobs')?.watch ?? '';
  await applyUrl();
  // The first picture waits for the first measurement, but not for long: a heavy run shows its data and
  // its cost first.
  await Promise.race([client.request('settle'), new Promise((r) => setTimeout(r, 1500))]);
  sync();
  drawMs = drawAll();
  dirty = false;
  requestAnimationFrame(frame);
  if (params.has('lesson')) await showLesson(Math.max(0, Number(params.get('lesson')) - 1 || 0));
  if (params.has('play')) await setPlaying(true);
}

// The scripting interface for embedders and tests (documented in the README). Members marked async return
// Promises.
const ready = main();
const lab = {
  ready,
  /** async: starts training. */
  play: () => setPlaying(true),
  /** async: stops training (the current step is then measured). */
  pause: () => setPlaying(false),
  isPlaying: () => playing,
  /** async: takes n steps now and measures the result; resolves to the steps taken. */
  step: (n = 1) => stepOnce(n),
  /** async: restarts the run. */
  reset: () => resetRun(),
  /** The current configuration. */
  config: () => config(),
  /** async: merges a partial configuration; rejects (and shows a message) if invalid, keeping the state. */
  setConfig: async (partial) => {
    const error = await apply(partial);
    if (error) throw new Error(error);
    currentPreset = null;
  },
  /** async: the newest measurement's numbers and the run's state (no side effects). */
  metrics: async () => {
    await client.request('snapshot');
    return { ...JSON.parse(view.metrics()), engine: client.mode };
  },
  /** async: measures the current step, then returns the metrics. */
  measure: async () => {
    await client.request('settle');
    return lab.metrics();
  },
  presets: () => options.presets.map(({ name, title, watch, steps }) => ({ name, title, watch, steps })),
  /** async: starts the preset `name`. */
  loadPreset: async (name) => { if (!(await loadPreset(name))) throw new Error(`unknown preset '${name}'`); },
  /** Redraws every view now; returns the milliseconds it took. */
  redraw: (fast = false) => drawAll(fast),
  /** async: the whole run as JSON text. */
  exportRun: () => client.request('exportRun'),
  engine: () => client.mode,
};
window.lab = lab;
ready.then(() => attachProtocol(lab, { onReady: true })).catch((e) => showMessage(`Last Layer Lab could not start: ${errorText(e)}`));
