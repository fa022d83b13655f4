// The SVM benchmark's browser-engine half (driven by bench/svm.py): our solver compiled to wasm, and
// libsvm-js 0.2.1 (LIBSVM in wasm, free bias, SMO), in node. Reads one JSON job per line on stdin:
//   {"mode": "ours", "csv": path, "formulation": f, "c": C, "tol": t, "reps": r}
//   {"mode": "libsvm", "csv": path, "c": C, "eps": e, "reps": r}
//   {"mode": "refit", "reps": r}
// and prints one JSON result per line: median milliseconds and what was reached.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { initSync, benchSvmFit, BenchRefit } from '../target/pkg-bench/lastlayer.js';

const require = createRequire(import.meta.url);
initSync({ module: readFileSync(new URL('../target/pkg-bench/lastlayer_bg.wasm', import.meta.url)) });
const SVM = await require('libsvm-js');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cache = new Map();

function load(path) {
  if (cache.has(path)) return cache.get(path);
  const lines = readFileSync(path, 'utf8').trim().split('\n').slice(1);
  const rows = lines.map((l) => l.split(',').map(Number));
  const d = rows[0].length - 1;
  const data = { d, rows: rows.map((r) => r.slice(0, d)), labels: rows.map((r) => r[d]) };
  data.flat = Float64Array.from(data.rows.flat());
  data.y = Uint32Array.from(data.labels);
  cache.set(path, data);
  return data;
}

/** The binary hinge primal with a free bias, ½‖w‖² + C Σ max(0, 1 − yᵢ(w·xᵢ + b)), class 1 = +1. */
function hingePrimal(data, w, b, c) {
  let loss = 0;
  for (let i = 0; i < data.rows.length; i++) {
    const y = data.labels[i] === 1 ? 1 : -1;
    let f = b;
    for (let j = 0; j < data.d; j++) f += w[j] * data.rows[i][j];
    loss += Math.max(0, 1 - y * f);
  }
  return 0.5 * w.reduce((s, v) => s + v * v, 0) + c * loss;
}

function libsvmRun(job) {
  const data = load(job.csv);
  const times = [];
  let primal = NaN;
  for (let r = 0; r < job.reps; r++) {
    const svm = new SVM({ kernel: SVM.KERNEL_TYPES.LINEAR, type: SVM.SVM_TYPES.C_SVC, cost: job.c, tolerance: job.eps, quiet: true, shrinking: true, cacheSize: 200 });
    const t0 = performance.now();
    svm.train(data.rows, data.labels);
    times.push(performance.now() - t0);
    // w = Σ coefᵢ svᵢ and b = −ρ from the serialised LIBSVM model; its positive class is the first label seen.
    const model = svm.serializeModel();
    svm.free();
    const text = model.split('\n');
    const rho = Number(text.find((l) => l.startsWith('rho ')).split(' ')[1]);
    const first = Number(text.find((l) => l.startsWith('label ')).split(' ')[1]);
    const start = text.indexOf('SV') + 1;
    const w = new Array(data.d).fill(0);
    for (const line of text.slice(start)) {
      if (!line.trim()) continue;
      const [coef, ...pairs] = line.trim().split(' ');
      for (const p of pairs) { const [k, v] = p.split(':'); w[Number(k) - 1] += Number(coef) * Number(v); }
    }
    const sign = first === 1 ? 1 : -1;
    primal = hingePrimal(data, w.map((v) => sign * v), -sign * rho, job.c);
  }
  return { ms: median(times), primal };
}

function oursRun(job) {
  const data = load(job.csv);
  const times = [];
  let out;
  for (let r = 0; r < job.reps; r++) {
    const t0 = performance.now();
    out = JSON.parse(benchSvmFit(data.flat, data.y, data.d, job.formulation, job.c, job.tol));
    times.push(performance.now() - t0);
  }
  return { ms: median(times), primal: out.primal, rel_gap: out.rel_gap, epochs: out.epochs, capped: out.capped };
}

function refitRun(job) {
  // A measurement (features, both SVMs, all metrics) after each training step, warm-started from the previous
  // one — and, with job.cold, from scratch. job.config is a partial config merged into the blobs run.
  const bench = new BenchRefit(JSON.stringify(job.config ?? {}), job.steps ?? 300);
  const times = []; const epochs = []; const cold = [];
  for (let r = 0; r < job.reps; r++) {
    bench.trainStep();
    if (job.cold) {
      const c0 = performance.now();
      bench.coldRefit();
      cold.push(performance.now() - c0);
    }
    const t0 = performance.now();
    epochs.push(bench.refit());
    times.push(performance.now() - t0);
  }
  return { ms: median(times), ms_p90: [...times].sort((a, b) => a - b)[Math.floor(times.length * 0.9)], epochs: median(epochs), cold_ms: cold.length ? median(cold) : null };
}

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const job = JSON.parse(line);
  const result = job.mode === 'libsvm' ? libsvmRun(job) : job.mode === 'refit' ? refitRun(job) : oursRun(job);
  console.log(JSON.stringify({ ...job, ...result }));
}
