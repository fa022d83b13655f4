// Training throughput, BENCHMARKS.md §1: our wasm build against TensorFlow.js (cpu and wasm backends) and ConvNetJS,
// in node, side by side in one run (rounds interleaved A B C D A B C D …, medians reported). Same data (the
// paper's blobs, n = 500), same network, plain SGD at lr 0.1, softmax cross-entropy, one thread.
//   scripts/build && (cd bench && npm install) && node bench/train.mjs
import { readFileSync } from 'node:fs';
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
];
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

/** Steps per second of `step()` over about ROUND_MS. */
function rate(step) {
  let n = 0; const t0 = performance.now(); let t = t0;
  while (t - t0 < ROUND_MS) { step(); n++; if ((n & 7) === 0) t = performance.now(); }
  return (n * 1000) / (performance.now() - t0);
}

function ours(cfg) {
  const trainer = new BenchTrainer(JSON.stringify(cfg.hidden), cfg.act, cfg.batch, 0.1);
  trainer.run(20);
  return () => trainer.run(1);
}

async function tfjs(cfg, backend) {
  await tf.setBackend(backend);
  await tf.ready();
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

function conv(cfg) {
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
  const runners = { ours: ours(cfg), 'tfjs-cpu': await tfjs(cfg, 'cpu'), 'tfjs-wasm': await tfjs(cfg, 'wasm'), convnetjs: conv(cfg) };
  const samples = Object.fromEntries(Object.keys(runners).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, step] of Object.entries(runners)) {
      if (name.startsWith('tfjs')) await tf.setBackend(name.slice(5));
      samples[name].push(rate(step));
    }
  }
  const row = { config: cfg.name, network: `2-${cfg.hidden.join('-')}-2 ${cfg.act}`, batch: cfg.batch };
  for (const [k, v] of Object.entries(samples)) row[`${k}_steps_s`] = Number(median(v).toPrecision(4));
  const best = Math.max(row['tfjs-cpu_steps_s'], row['tfjs-wasm_steps_s'], row.convnetjs_steps_s);
  row.ratio_to_best_anchor = Number((row.ours_steps_s / best).toFixed(2));
  const sizes = [2, ...cfg.hidden, 2];
  const macs = sizes.slice(1).reduce((s, w, i) => s + sizes[i] * w, 0);
  row.ours_gflops = Number((row.ours_steps_s * cfg.batch * macs * 6 / 1e9).toFixed(3));
  results.push(row);
  console.error(JSON.stringify(row));
}
const t0 = performance.now(); benchMatmul(256, 10); const secs = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ target: 'wasm (node ' + process.version + ')', rounds: ROUNDS, configs: results, matmul_256_gflops: Number((2 * 256 ** 3 * 10 / secs / 1e9).toFixed(2)) }, null, 2));
