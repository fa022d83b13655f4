// The page's side of the engine. It starts the engine — in a Web Worker when one can start, else on this
// thread in a wasm instance of its own (the same compiled module: the wasm is downloaded once) — sends it
// requests, hands its snapshots and events to the page, and watches it: every request has a deadline, and
// when the engine dies (the worker crashed or was closed, the core panicked) or stops answering, every request
// it had is rejected with a message, a new engine is started, and the page restores the run on it. Requests
// made while the new engine is started and restored wait, and are sent once the run is restored.

import { startWorker } from './boot.js';

/** A request the engine should answer at once fails after this long (ms). */
const QUICK_MS = 20000;
/** The engine is declared lost when it has said nothing for this long (ms) with requests pending, or longer
 * when its run's work comes in longer pieces (see `silenceLimit`). A busy host speaks four times a second and
 * answers a ping between two slices of work: for the presets the longest wait for an answer measured here was
 * 90 ms (the paper's digits, forgetting and attacks); one training step of a 2048-wide network on 5 000 points
 * holds the worker for 1.4 to 2.8 s, hence the allowance for the run's own pieces. */
const SILENCE_MS = 2500;
/** The allowance for a run's longest piece of work: this many times its estimate at a modest laptop's rate,
 * or this many times the longest piece the host has reported, whichever is more. */
const ESTIMATE_TIMES = 6;
const OBSERVED_TIMES = 3;
/** After this much silence (ms) with requests pending, the engine is pinged (again at every watch). */
const PING_AFTER_MS = 500;
/** How often the engine is watched (ms). A watch that comes much later than this (the page was suspended, or
 * its thread blocked) first gives the engine a fresh chance to answer. */
const WATCH_MS = 250;
/** Worker failures after which the engine runs on this thread instead. */
const WORKER_FAILURES = 2;

export class Client {
  /**
   * @param {{module: WebAssembly.Module, firstWorker?: Promise, base: string, texts: object,
   *   onSnapshot: (bytes: Uint8Array) => void, onEvent: (message: object) => void,
   *   onLost: (reason: string) => void, onRestarted: () => Promise<void>,
   *   longestWorkMs: () => number}} options (`longestWorkMs`: the run's longest piece of work, estimated)
   */
  constructor(options) {
    Object.assign(this, options);
    this.nextId = 1;
    this.waiting = new Map();
    this.mode = null;
    this.worker = null;
    this.host = null;
    this.heard = performance.now();
    this.failures = 0;
    /** The longest piece of work (ms) the engine's host has reported doing without a pause. */
    this.slowest = 0;
    this.generation = 0;
    /** A new engine being started (a promise), after the last one was lost. */
    this.starting = null;
    /** From the loss of an engine until the run is restored on the next: requests wait in `held`. */
    this.restoring = false;
    this.held = [];
    this.lastWatch = performance.now();
    this.watchdog = setInterval(() => this.watch(), WATCH_MS);
  }

  /** Starts an engine: a worker when one can start (and has not failed too often), else a host here. */
  async start() {
    const generation = ++this.generation;
    if (this.failures < WORKER_FAILURES) {
      try {
        // The first worker was started by boot.js while the page loaded; a restart starts a new one.
        const started = generation === 1 && this.firstWorker ? this.firstWorker : startWorker(this.module, this.base);
        const { worker, attach } = await started;
        this.worker = worker;
        this.mode = 'worker';
        attach((m) => generation === this.generation && this.receive(m),
          (reason) => generation === this.generation && this.lost(reason));
        return;
      } catch {
        // An iframe sandboxed without allow-same-origin, or a CSP without workers: run here instead.
      }
    }
    // A wasm instance of the engine's own: a module URL of its own gives a fresh instance of the same glue (a
    // URL computed at run time, so that the build's bundler leaves it out: the glue in the bundle is the page's).
    const wasm = await import(new URL(`pkg/lastlayer.js?engine=${generation}`, import.meta.url).href);
    await wasm.default({ module_or_path: this.module });
    const { Host } = await import('./host.js');
    this.host = new Host(wasm, (m) => queueMicrotask(() => generation === this.generation && this.receive(m)), {
      onMainThread: true,
      base: this.base,
    });
    // The first engine greets with its run (a restarted one's fresh run would only flash before the restore).
    if (generation === 1) this.host.greet();
    this.mode = 'main';
  }

  /** Sends `request` (a Rust `Request` as JSON); resolves with its reply, rejects with the engine's error or
   * when the engine cannot answer. `quick`: it should be answered at once (else it may take long: steps).
   * While an engine is being restored the request waits, and is sent once the run is restored; `now`: send it
   * at once all the same (the restore itself). */
  request(request, { quick = true, now = false } = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const entry = { resolve, reject, request, since: performance.now(), quick };
      const message = { id, request };
      if (this.restoring && !now) {
        this.held.push({ id, entry, message });
      } else {
        this.expect(id, entry);
        this.send(message);
      }
    });
  }

  /** Waits for the answer to request `id`. An engine that was idle (nothing asked of it, so nothing said) is
   * timed from now, not from the last time it spoke. */
  expect(id, entry) {
    if (this.waiting.size === 0) this.heard = Math.max(this.heard, performance.now());
    this.waiting.set(id, entry);
  }

  /** Sends a network's files to be checked (`names`, `buffers`: ArrayBuffers, handed over, not copied);
   * resolves with the check's report (JSON text) when it is done. */
  checkFiles(names, buffers) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const entry = { resolve, reject, request: null, since: performance.now(), quick: false };
      const message = { id, files: { names, buffers } };
      if (this.restoring) {
        this.held.push({ id, entry, message, transfer: buffers });
      } else {
        this.expect(id, entry);
        this.send(message, buffers);
      }
    });
  }

  /** Hands `message` to the engine (`transfer`: ArrayBuffers moved to the worker, not copied). */
  send(message, transfer = []) {
    if (this.worker) this.worker.postMessage(message, transfer);
    else this.host?.handle(message);
  }

  receive(m) {
    this.heard = performance.now();
    if (m.slowest > this.slowest) this.slowest = m.slowest;
    if (m.crashed) {
      this.lost(m.crashed);
      return;
    }
    if (!m.messages) return; // alive
    if (m.snapshot) this.onSnapshot(m.snapshot);
    for (const message of m.messages) {
      const reply = message.reply;
      if (!reply) {
        this.onEvent(message);
        continue;
      }
      const w = this.waiting.get(reply.id);
      if (!w) continue;
      this.waiting.delete(reply.id);
      if (reply.ok) w.resolve(reply.value);
      else w.reject(new Error(reply.error));
    }
  }

  /** Fails requests past their deadline; pings a quiet engine; declares a silent one lost. */
  watch() {
    const now = performance.now();
    const late = now - this.lastWatch > 4 * WATCH_MS;
    this.lastWatch = now;
    if (this.starting || this.waiting.size === 0) return;
    // This thread (or the machine) was held up: what the engine said meanwhile may still be queued for it.
    if (late) this.heard = Math.max(this.heard, now - PING_AFTER_MS);
    const silent = now - this.heard;
    for (const [id, w] of this.waiting) {
      if (w.quick && now - w.since > QUICK_MS) {
        this.waiting.delete(id);
        w.reject(new Error(this.texts.noAnswer));
      }
    }
    if (this.mode !== 'worker') return;
    if (silent > this.silenceLimit()) this.lost(this.texts.silent);
    else if (silent > PING_AFTER_MS) this.worker?.postMessage({ ping: true });
  }

  /** How long (ms) the engine may stay silent before it is declared lost: longer for a run whose work comes in
   * long pieces (a training step of a huge network cannot be interrupted to answer). */
  silenceLimit() {
    return Math.max(SILENCE_MS, ESTIMATE_TIMES * (this.longestWorkMs?.() ?? 0), OBSERVED_TIMES * this.slowest);
  }

  /** The engine died: rejects what it had been asked, starts another, lets the page restore the run on it
   * (`onRestarted`), then sends the requests made meanwhile. Lost again before the run is restored, the next
   * engine is started and restored instead. */
  lost(reason) {
    if (this.starting) return;
    const pending = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of pending) w.reject(new Error(`${this.texts.engineStopped}${reason}`));
    if (this.mode === 'worker') this.failures++;
    this.worker?.terminate();
    this.worker = null;
    this.host = null;
    this.restoring = true;
    this.onLost(reason);
    this.starting = this.start().then(() => { this.heard = performance.now(); });
    const generation = this.generation;
    this.starting.then(async () => {
      this.starting = null;
      await this.onRestarted();
      // Lost again while restoring: the next engine's restore sends what waits.
      if (this.starting || this.generation !== generation) return;
      this.restoring = false;
      for (const { id, entry, message, transfer } of this.held.splice(0)) {
        entry.since = performance.now();
        this.expect(id, entry);
        this.send(message, transfer);
      }
    }, (e) => {
      this.starting = null;
      const why = String(e?.message ?? e);
      for (const { entry } of this.held.splice(0)) entry.reject(new Error(`${this.texts.engineStopped}${why}`));
      this.onLost(why);
    });
  }

  /** Main-thread mode: work for up to `budgetMs` of this frame. */
  pump(budgetMs) {
    if (this.host && this.host.busy()) this.host.pump(budgetMs);
  }
}
