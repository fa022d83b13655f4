// The controls: the run bar, the experiments list, the data, network and SVM settings, the layers editor, the
// point editor and the view options — filled from the core's options (every choice, range and limit is
// Rust's), synced from the run's configuration, and turned into the page's actions. The layers editor is
// layers.js.
import { $, fillSelect } from './dom.js';
import { createLayers } from './layers.js';

/**
 * @param {object} ctx {options, texts, page, actions, drawing, showMessage, onPresetShown(name)}
 */
export function createControls(ctx) {
  const { options, actions } = ctx;
  const layers = createLayers({ options, actions });

  const rangeOf = (group, name) => options.ranges.find((r) => r.group === group && r.name === name);
  const groupOf = (el) => el.dataset.group ?? 'data';
  const logBounds = (el) => {
    const r = rangeOf(groupOf(el), el.name);
    return [Math.log10(r.min), Math.log10(r.max)];
  };
  const fromSlider = (el) => {
    const [lo, hi] = logBounds(el);
    return 10 ** (lo + Number(el.value) * (hi - lo));
  };
  const toSlider = (el, value) => {
    const [lo, hi] = logBounds(el);
    return Math.min(1, Math.max(0, (Math.log10(Math.max(value, 1e-300)) - lo) / (hi - lo)));
  };
  /** Every control that edits a config field. */
  const fieldControls = () => Array.from(document.querySelectorAll('#data-controls [name], [data-group][name]'));

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

  /** Brings every control in line with the run's configuration. */
  function sync() {
    const c = JSON.parse(ctx.page.config());
    if (!c) return;
    const source = options.sources.find((s) => s.id === c.data.set);
    for (const el of fieldControls()) {
      const value = c[groupOf(el)][el.name];
      if (el.dataset.log) el.value = toSlider(el, value);
      else if (el.type === 'checkbox') el.checked = Boolean(value);
      else if (document.activeElement !== el || el.tagName === 'SELECT') el.value = value ?? '';
      const out = el.parentElement.querySelector('output');
      if (out) out.textContent = ctx.formatNumber(Number(value));
    }
    for (const label of document.querySelectorAll('#data-controls [data-knob]')) {
      label.hidden = !source?.knobs.includes(label.dataset.knob);
    }
    const tableOption = $('data-set').querySelector('option[value=table]');
    if (tableOption) tableOption.hidden = c.data.set !== 'table';
    const info = JSON.parse(ctx.page.info());
    layers.sync(c.network.hidden, info.layers);
    ctx.editing.sync(info);
    syncProjection(info);
    const preset = info.preset;
    for (const b of document.querySelectorAll('#preset-list button')) b.setAttribute('aria-current', String(b.dataset.name === preset));
    $('strip-preset').value = preset ?? '';
    if (preset) ctx.onPresetShown(preset);
    ctx.showFigures({ gallery: info.has_gallery, experiment: info.has_experiment });
    $('edit-fieldset').disabled = info.input_width !== 2 && info.input_width !== 0;
  }

  function syncProjection(info = JSON.parse(ctx.page.info())) {
    const width = info.input_width;
    $('input-projection-field').hidden = width <= 2;
    if (width <= 2) return;
    const names = info.feature_names;
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
    ctx.drawing.setInputProjection(pair ? `features:${$('feature-x').value},${$('feature-y').value}` : 'pca');
  }

  /** Loads a preset; picked far below the views (on a phone the list is under them), scrolls back to them. */
  async function pickPreset(name) {
    await actions.loadPreset(name);
    const box = $('input-figure').getBoundingClientRect();
    if (!document.body.classList.contains('embed') && (box.bottom < 0 || box.top > innerHeight)) {
      $('input-figure').scrollIntoView({ block: 'start' });
    }
  }

  const stepsPerFrame = () => Math.round(10 ** Number($('speed').value));
  /** Applies the speed slider: steps per frame, or as fast as the page can at its top. */
  function applySpeed() {
    $('speed-out').textContent = stepsPerFrame().toLocaleString('en');
    const top = Number($('speed').value) >= Number($('speed').max);
    actions.speed(top ? 0 : stepsPerFrame() * 60);
  }

  function wire() {
    fillSelect($('data-set'), options.sources);
    fillSelect(document.querySelector('[name=activation]'), options.activations);
    fillSelect(document.querySelector('[name=init]'), options.inits);
    fillSelect(document.querySelector('[data-group=train][name=loss]'), options.losses);
    fillSelect(document.querySelector('[name=optimizer]'), options.optimizers);
    fillSelect(document.querySelector('[data-group=svm][name=loss]'), options.svmLosses);
    fillSelect(document.querySelector('[name=multiclass]'), options.multiclass);
    fillSelect(document.querySelector('[data-group=forgetting][name=shown]'), options.arms);
    applyRanges();

    for (const p of options.presets) {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.name = p.name;
      b.textContent = p.title;
      b.setAttribute('aria-current', 'false');
      b.addEventListener('click', () => pickPreset(p.name));
      const item = document.createElement('li');
      item.append(b);
      $('preset-list').append(item);
    }
    // The run strip's picker (a phone's): the same experiments, and a line for a run of one's own.
    const strip = $('strip-preset');
    strip.append(new Option(ctx.texts.ownRun, ''), ...options.presets.map((p) => new Option(p.title, p.name)));
    strip.options[0].disabled = true;
    strip.addEventListener('change', () => { if (strip.value) pickPreset(strip.value); });

    $('data-set').addEventListener('change', () => actions.setSource($('data-set').value));
    for (const el of fieldControls()) {
      if (el === $('data-set')) continue;
      const event = el.tagName === 'SELECT' || el.type === 'number' || el.type === 'checkbox' || el.type === 'text' ? 'change' : 'input';
      el.addEventListener(event, () => {
        if (el.type === 'number' && el.value === '' && 'optional' in el.dataset) {
          actions.set({ [groupOf(el)]: { [el.name]: null } });
          return;
        }
        if (el.type === 'number' && (el.value === '' || !el.checkValidity())) {
          ctx.showMessage(ctx.texts.notANumber.replace('{name}', el.name.replaceAll('_', ' ')).replace('{why}', el.validationMessage || ctx.texts.invalidNumber));
          sync();
          return;
        }
        const value = el.dataset.log ? fromSlider(el) : el.type === 'checkbox' ? el.checked : el.tagName === 'SELECT' || el.type === 'text' ? el.value : Number(el.value);
        actions.set({ [groupOf(el)]: { [el.name]: value } });
      });
    }
    layers.wire();
    $('retrain').addEventListener('click', actions.retrainLastLayer);

    const toggle = () => {
      // A finished run (a class-incremental run's two phases) has nothing left to play: say so.
      if (!ctx.page.playing() && JSON.parse(ctx.page.experiments()).finished) {
        ctx.showMessage(ctx.texts.runComplete, 'info');
        return;
      }
      actions.setPlaying(!ctx.page.playing());
    };
    const run = { toggle, once: () => actions.step(1), restart: actions.reset };
    $('play').addEventListener('click', run.toggle);
    $('step').addEventListener('click', run.once);
    $('reset').addEventListener('click', run.restart);
    $('embed-play').addEventListener('click', run.toggle);
    $('lesson-play').addEventListener('click', run.toggle);
    $('embed-step').addEventListener('click', run.once);
    $('embed-reset').addEventListener('click', run.restart);
    $('speed').addEventListener('input', applySpeed);
    $('speed-out').textContent = stepsPerFrame().toLocaleString('en');


    $('show-test').addEventListener('change', ctx.drawing.markDirty);
    $('projection').addEventListener('change', ctx.drawing.markDirty);
    for (const id of ['input-projection', 'feature-x', 'feature-y']) $(id).addEventListener('change', () => syncProjection());

    $('theme').addEventListener('click', () => {
      const order = ['auto', 'dark', 'light'];
      const now = document.documentElement.dataset.theme ?? 'auto';
      const next = order[(order.indexOf(now) + 1) % order.length];
      if (next === 'auto') delete document.documentElement.dataset.theme;
      else document.documentElement.dataset.theme = next;
      $('theme').textContent = `◐ Theme: ${next}`;
      ctx.drawing.markDirty();
    });
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', ctx.drawing.markDirty);

    document.addEventListener('keydown', (e) => {
      const t = e.target;
      if (e.key === 'Escape' && ctx.onEscape()) { e.preventDefault(); return; }
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (t.closest?.('input, select, textarea, dialog') && !(t.type === 'range' || t.type === 'checkbox')) return;
      if (e.key === ' ' && t.tagName !== 'BUTTON') { e.preventDefault(); run.toggle(); }
      else if (e.key === 'ArrowRight' && t.type !== 'range') { e.preventDefault(); run.once(); }
      else if (e.key === 'r' || e.key === 'R') { e.preventDefault(); run.restart(); }
    });
  }

  /** The run bar's Play buttons follow the engine's state. */
  function syncPlay() {
    const playing = ctx.page.playing();
    for (const b of [$('play'), $('embed-play'), $('lesson-play')]) {
      const label = playing ? ctx.texts.pause : ctx.texts.play;
      if (b.textContent !== label) b.textContent = label;
      b.setAttribute('aria-pressed', String(playing));
    }
  }

  /** Sets the speed slider (steps per frame; null: its top, as fast as the page can) and applies it. */
  function setSpeed(perFrame) {
    $('speed').value = perFrame == null ? $('speed').max : String(Math.round(4 * Math.log10(perFrame)) / 4);
    applySpeed();
  }

  return { wire, sync, syncPlay, setSpeed };
}
