// Training throughput, BENCHMARKS.md §1: our wasm build against TensorFlow.js (cpu and wasm backends) and ConvNetJS,
// in node, side by side in one run (rounds interleaved A B C D A B C D …, medians reported). Same data (the
// paper's blobs, n = 500), same network, plain SGD at lr 0.1, softmax cross-entropy, one thread. `conv` is the
// digits_conv preset's network on 430 of the digits 0, 1 and 2 (8 × 8 × 1 → 3 × 3 conv, 4 channels, tanh → 2 × 2
// max pool → 3 × 3 conv, 8 channels, tanh → 2 × 2 max pool → 2, tanh → 3), whole-batch steps as the preset's:
// TensorFlow.js with its conv2d and maxPooling2d layers (`model.apply` inside `minimize`), ConvNetJS with its conv
// and pool layers, trained per example by its Trainer with batch_size 430.
//   scripts/build && (cd bench && npm install) && node bench/train.mjs
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { initSync, BenchTrainer, benchMatmul } from '../target/pkg-bench/lastlayer.js';

const require = createRequire(import.meta.url);
initSync({ module: readFileSync(new URL('../target/pkg-bench/lastlayer_bg.wasm', import.meta.url)) });
const tf = require('@tensorflow/tfjs');
const { setWasmPaths } = require('@tensorflow/tfjs-backend-wasm');
setWasmPaths(new URL('./node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url).pathname);
const convnetjs = require('convnetjs');

const CONFIGS = [
  { name: 'small', hidden: [8, 8, 2], act: 'relu', batch: 10 },
  { name: 'mid', hidden: [32, 32, 2], act: 'tanh', batch: 500 },
  { name: 'paper', hidden: [2000, 2], act: 'relu', batch: 500 },
  { name: 'conv', conv: [4, 8], hidden: [2], act: 'tanh', batch: 430, classes: 3 },
].filter((c) => !process.env.ONLY || process.env.ONLY.split(',').includes(c.name));
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const ROUND_MS = Number(process.env.ROUND_MS ?? 600);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// The same blobs the Rust side uses are generated there; the anchors get an equivalent draw (Box–Muller,
// centres (0.2, 0.2) and (0.8, 0.8), σ 0.1, 250 points each): throughput does not depend on the values.
function blobs(n = 500) {
  const xs = []; const ys = [];
  let s = 12345;
  const u = () => { s = (s * 1103515245 + 12345) % 2147483648; return (s + 0.5) / 2147483648; };
  for (let i = 0; i < n; i++) {
    const c = i % 2; const r = Math.sqrt(-2 * Math.log(u())); const t = 2 * Math.PI * u();
    xs.push([0.2 + 0.6 * c + 0.1 * r * Math.cos(t), 0.2 + 0.6 * c + 0.1 * r * Math.sin(t)]);
    ys.push(c);
  }
  return { xs, ys };
}
const DATA = blobs();

// The bundled digits, the first 430 of the classes 0, 1 and 2, pixels scaled to 0..1 (as the Rust side's).
const DIGITS_TEXT = gunzipSync(readFileSync(new URL('../assets/digits/digits.csv.gz', import.meta.url))).toString('utf8');
function digits() {
  const xs = []; const ys = [];
  for (const line of DIGITS_TEXT.split('\n')) {
    if (!line.trim()) continue;
    const v = line.split(',').map(Number);
    const label = v[64];
    if (label < 3 && xs.length < 430) { xs.push(v.slice(0, 64).map((p) => p / 16)); ys.push(label); }
  }
  return { xs, ys };
}
const DIGITS = digits();
/** The conv config's hidden layers as a Last Layer Lab config writes them. */
const convLayers = (cfg) => [...cfg.conv.flatMap((c) => [{ conv: { channels: c, kernel: 3 } }, { pool: 'max' }]), ...cfg.hidden];

/** Steps per second of `step()` over about ROUND_MS. */
function rate(step) {
  let n = 0; const t0 = performance.now(); let t = t0;
  while (t - t0 < ROUND_MS) { step(); n++; if ((n & 7) === 0) t = performance.now(); }
  return (n * 1000) / (performance.now() - t0);
}

function ours(cfg) {
  const trainer = cfg.conv
    ? BenchTrainer.digits(DIGITS_TEXT, JSON.stringify(convLayers(cfg)), cfg.batch, 0.1)
    : new BenchTrainer(JSON.stringify(cfg.hidden), cfg.act, cfg.batch, 0.1);
  trainer.run(20);
  return () => trainer.run(1);
}

async function tfjsConv(cfg) {
  const model = tf.sequential();
  cfg.conv.forEach((c, i) => {
    model.add(tf.layers.conv2d({ filters: c, kernelSize: 3, padding: 'same', activation: cfg.act, inputShape: i === 0 ? [8, 8, 1] : undefined }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  });
  model.add(tf.layers.flatten());
  for (const w of cfg.hidden) model.add(tf.layers.dense({ units: w, activation: cfg.act }));
  model.add(tf.layers.dense({ units: cfg.classes }));
  const opt = tf.train.sgd(0.1);
  const x = tf.tensor4d(DIGITS.xs.flat(), [DIGITS.xs.length, 8, 8, 1]);
  const y = tf.oneHot(tf.tensor1d(DIGITS.ys, 'int32'), cfg.classes);
  const step = () => {
    tf.tidy(() => { opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }))); });
  };
  for (let i = 0; i < 5; i++) step();
  return step;
}

async function tfjs(cfg, backend) {
  await tf.setBackend(backend);
  await tf.ready();
  if (cfg.conv) return tfjsConv(cfg);
  const model = tf.sequential();
  cfg.hidden.forEach((w, i) => model.add(tf.layers.dense({ units: w, activation: cfg.act, inputShape: i === 0 ? [2] : undefined })));
  model.add(tf.layers.dense({ units: 2 }));
  const opt = tf.train.sgd(0.1);
  const x = tf.tensor2d(DATA.xs); const y = tf.oneHot(tf.tensor1d(DATA.ys, 'int32'), 2);
  const batches = [];
  for (let s = 0; s + cfg.batch <= DATA.xs.length; s += cfg.batch) batches.push([x.slice([s, 0], [cfg.batch, 2]), y.slice([s, 0], [cfg.batch, 2])]);
  let k = 0;
  const step = () => {
    const [xb, yb] = batches[k++ % batches.length];
    // `apply`, as a training step is meant to call the model: `predict` would split the batch into pieces of its
    // default batchSize (32), making one step of 500 rows 16 calls.
    tf.tidy(() => { opt.minimize(() => tf.losses.softmaxCrossEntropy(yb, model.apply(xb, { training: true }))); });
  };
  for (let i = 0; i < 5; i++) step();
  return step;
}

function convnetConv(cfg) {
  const layers = [{ type: 'input', out_sx: 8, out_sy: 8, out_depth: 1 }];
  for (const c of cfg.conv) {
    layers.push({ type: 'conv', sx: 3, filters: c, stride: 1, pad: 1, activation: cfg.act });
    layers.push({ type: 'pool', sx: 2, stride: 2 });
  }
  for (const w of cfg.hidden) layers.push({ type: 'fc', num_neurons: w, activation: cfg.act });
  layers.push({ type: 'softmax', num_classes: cfg.classes });
  const net = new convnetjs.Net(); net.makeLayers(layers);
  const trainer = new convnetjs.Trainer(net, { method: 'sgd', learning_rate: 0.1, momentum: 0, batch_size: cfg.batch, l2_decay: 0 });
  const vols = DIGITS.xs.map((p) => { const v = new convnetjs.Vol(8, 8, 1, 0); for (let i = 0; i < 64; i++) v.w[i] = p[i]; return v; });
  let k = 0;
  return () => { for (let i = 0; i < cfg.batch; i++) { const j = k++ % vols.length; trainer.train(vols[j], DIGITS.ys[j]); } };
}

function conv(cfg) {
  if (cfg.conv) return convnetConv(cfg);
  const layers = [{ type: 'input', out_sx: 1, out_sy: 1, out_depth: 2 }];
  for (const w of cfg.hidden) layers.push({ type: 'fc', num_neurons: w, activation: cfg.act });
  layers.push({ type: 'softmax', num_classes: 2 });
  const net = new convnetjs.Net(); net.makeLayers(layers);
  const trainer = new convnetjs.Trainer(net, { method: 'sgd', learning_rate: 0.1, momentum: 0, batch_size: cfg.batch, l2_decay: 0 });
  const vols = DATA.xs.map((p) => new convnetjs.Vol(p));
  let k = 0;
  // One step = one mini-batch: ConvNetJS feeds examples one at a time and updates every batch_size of them.
  return () => { for (let i = 0; i < cfg.batch; i++) { const j = k++ % vols.length; trainer.train(vols[j], DATA.ys[j]); } };
}

const results = [];
for (const cfg of CONFIGS) {
  // An anchor that cannot train this network (TensorFlow.js's wasm backend has no Conv2DBackpropFilter kernel)
  // is reported as such, not left out.
  const cannot = {};
  const attempt = async (name, make) => {
    try { return await make(); } catch (e) { cannot[name] = e.message; console.error(`${cfg.name}: ${name} cannot train it: ${e.message}`); return null; }
  };
  const runners = Object.fromEntries(Object.entries({
    ours: ours(cfg),
    'tfjs-cpu': await attempt('tfjs-cpu', () => tfjs(cfg, 'cpu')),
    'tfjs-wasm': await attempt('tfjs-wasm', () => tfjs(cfg, 'wasm')),
    convnetjs: conv(cfg),
  }).filter(([, step]) => step));
  const samples = Object.fromEntries(Object.keys(runners).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, step] of Object.entries(runners)) {
      if (name.startsWith('tfjs')) await tf.setBackend(name.slice(5));
      samples[name].push(rate(step));
    }
  }
  const network = cfg.conv
    ? `8×8×1-${cfg.conv.map((c) => `conv${c}-pool`).join('-')}-${cfg.hidden.join('-')}-${cfg.classes} ${cfg.act}`
    : `2-${cfg.hidden.join('-')}-2 ${cfg.act}`;
  const row = { config: cfg.name, network, batch: cfg.batch };
  for (const [k, v] of Object.entries(samples)) row[`${k}_steps_s`] = Number(median(v).toPrecision(4));
  for (const [k, why] of Object.entries(cannot)) row[`${k}_steps_s`] = `cannot train it: ${why}`;
  const best = Math.max(...['tfjs-cpu', 'tfjs-wasm', 'convnetjs'].map((k) => row[`${k}_steps_s`]).filter((v) => typeof v === 'number'));
  row.ratio_to_best_anchor = Number((row.ours_steps_s / best).toFixed(2));
  // Multiply-adds per example (a 3 × 3 "same" convolution: channels out × in × 9 per position; each pooling
  // halves the side).
  let macs;
  if (cfg.conv) {
    let side = 8; let depth = 1; macs = 0;
    for (const c of cfg.conv) { macs += side * side * c * depth * 9; depth = c; side /= 2; }
    const sizes = [side * side * depth, ...cfg.hidden, cfg.classes];
    macs += sizes.slice(1).reduce((s, w, i) => s + sizes[i] * w, 0);
  } else {
    const sizes = [2, ...cfg.hidden, 2];
    macs = sizes.slice(1).reduce((s, w, i) => s + sizes[i] * w, 0);
  }
  row.ours_gflops = Number((row.ours_steps_s * cfg.batch * macs * 6 / 1e9).toFixed(3));
  results.push(row);
  console.error(JSON.stringify(row));
}
const t0 = performance.now(); benchMatmul(256, 10); const secs = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ target: 'wasm (node ' + process.version + ')', rounds: ROUNDS, configs: results, matmul_256_gflops: Number((2 * 256 ** 3 * 10 / secs / 1e9).toFixed(2)) }, null, 2));
