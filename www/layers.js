// The network editor: one row per hidden layer — a dense layer's width; a convolution's channels, kernel,
// stride and padding; a pooling's rule — each with the shape of its output as the core computes it, the last
// marked as the feature space; the buttons that add a dense layer, a convolution or a pooling (the last two on
// image data). Every choice and limit comes from the core's options; the rows from `page.info().layers`.
import { $, fillSelect } from './dom.js';

/**
 * @param {object} ctx {options, actions}
 */
export function createLayers({ options, actions }) {
  const conv = options.conv;
  const choices = (values) => values.map((v) => ({ id: String(v), title: String(v) }));

  /** A labelled control of a layer row. */
  function field(text, control, aria) {
    const label = document.createElement('label');
    label.className = 'layer-field';
    label.append(text, control);
    control.setAttribute('aria-label', aria);
    return label;
  }

  function number(value, max, onChange) {
    const input = document.createElement('input');
    input.type = 'number';
    input.min = '1';
    input.max = String(max);
    input.value = String(value);
    input.addEventListener('change', () => onChange(Number(input.value)));
    return input;
  }

  function select(items, value, onChange) {
    const s = document.createElement('select');
    fillSelect(s, items);
    s.value = String(value);
    s.addEventListener('change', () => onChange(s.value));
    return s;
  }

  /** The controls of hidden layer `i` (0-based) given as `spec` (a width, `{conv: …}` or `{pool: …}`). */
  function controlsOf(spec, i, name) {
    if (typeof spec === 'number') {
      const max = i === 0 ? options.limits.firstWidth : options.limits.width;
      const input = number(spec, max, (w) => actions.setLayerWidth(i, w));
      input.dataset.layer = String(i);
      return [field('units', input, `Width of ${name}`)];
    }
    if (spec.conv) {
      const c = spec.conv;
      const set = (change) => actions.setLayer(i, { conv: { ...c, ...change } });
      return [
        field('channels', number(c.channels, options.limits.channels, (v) => set({ channels: v })), `Channels of ${name}`),
        field('kernel', select(choices(conv.kernels), c.kernel, (v) => set({ kernel: Number(v) })), `Kernel size of ${name}`),
        field('stride', select(choices(conv.strides), c.stride, (v) => set({ stride: Number(v) })), `Stride of ${name}`),
        field('padding', select(conv.paddings, c.padding, (v) => set({ padding: v })), `Padding of ${name}`),
      ];
    }
    return [field('rule', select(conv.pools, spec.pool, (v) => actions.setLayer(i, { pool: v })), `Pooling rule of ${name}`)];
  }

  /** Rebuilds the rows from the configuration's hidden layers and the core's `info.layers`. */
  function sync(hidden, info) {
    const box = $('layers');
    const focused = document.activeElement?.getAttribute('aria-label');
    const rows = info?.rows ?? [];
    const image = Boolean(info?.image);
    const head = document.createElement('p');
    head.className = 'layer-input note';
    head.textContent = info ? `input ${info.input}` : '';
    box.replaceChildren(head);
    hidden.forEach((spec, i) => {
      const last = i === hidden.length - 1;
      const kind = rows[i]?.kind ?? 'dense';
      const name = `hidden layer ${i + 1}${last ? ', the feature space' : ''}`;
      const row = document.createElement('div');
      row.className = `layer layer-${kind}`;
      const title = document.createElement('span');
      title.className = last ? 'layer-title feature-layer' : 'layer-title';
      title.textContent = last ? `Layer ${i + 1} — feature space (${kind})` : `Layer ${i + 1}: ${kind}`;
      const shape = document.createElement('output');
      shape.className = 'layer-shape';
      shape.textContent = rows[i]?.shape ? `→ ${rows[i].shape}` : '';
      shape.setAttribute('aria-label', `output of ${name}`);
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = '−';
      remove.disabled = hidden.length <= 1;
      remove.setAttribute('aria-label', `Remove hidden layer ${i + 1}`);
      remove.addEventListener('click', () => actions.removeLayer(i));
      const fields = document.createElement('div');
      fields.className = 'layer-fields';
      fields.append(...controlsOf(spec, i, name));
      row.append(title, fields, shape, remove);
      box.append(row);
    });
    if (focused) box.querySelector(`[aria-label="${CSS.escape(focused)}"]`)?.focus();
    const full = hidden.length >= options.limits.layers;
    $('add-layer').disabled = full;
    for (const id of ['add-conv', 'add-pool']) {
      $(id).hidden = !image;
      $(id).disabled = full;
    }
    $('layers-error').textContent = info?.error ?? '';
  }

  function wire() {
    $('add-layer').addEventListener('click', actions.addLayer);
    $('add-conv').addEventListener('click', actions.addConv);
    $('add-pool').addEventListener('click', actions.addPool);
  }

  return { sync, wire };
}
