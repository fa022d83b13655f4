// The page's side of the engine. It starts the engine — in a Web Worker when one can start, else on this
// thread in a wasm instance of its own (the same compiled module: the wasm is downloaded once) — sends it
// requests, hands its snapshots and events to the page, and watches it: every request has a deadline, and
// when the engine dies (the worker crashed or was closed, the core panicked) or stops answering, every pending
// request is rejected with a message, a new engine is started, and the page restores the run on it.

import { startWorker } from './boot.js';

/** A request the engine should answer at once fails after this long (ms). */
const QUICK_MS = 20000;
/** A pending request fails when the engine has said nothing for this long (ms); a busy host speaks twice a
 * second and answers a ping at once. */
const SILENCE_MS = 6000;
/** After this much silence (ms) with requests pending, the engine is pinged. */
const PING_AFTER_MS = 1500;
/** Worker failures after which the engine runs on this thread instead. */
const WORKER_FAILURES = 2;

export class Client {
  /**
   * @param {{module: WebAssembly.Module, firstWorker?: Promise, base: string, texts: object,
   *   onSnapshot: (bytes: Uint8Array) => void, onEvent: (message: object) => void,
   *   onLost: (reason: string) => void, onRestarted: () => Promise<void>}} options
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
    this.generation = 0;
    this.recovering = null;
    this.watchdog = setInterval(() => this.watch(), 500);
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
   * when the engine cannot answer. `quick`: it should be answered at once (else it may take long: steps). */
  request(request, { quick = true } = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const entry = { resolve, reject, request, since: performance.now(), quick };
      this.waiting.set(id, entry);
      const message = { id, request };
      if (this.recovering) {
        // Sent once the new engine is up.
        this.recovering.then(() => this.send(message), () => {});
      } else {
        this.send(message);
      }
    });
  }

  /** Sends a network's files to be checked (`names`, `buffers`: ArrayBuffers, handed over, not copied);
   * resolves with the check's report (JSON text) when it is done. */
  checkFiles(names, buffers) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, request: null, since: performance.now(), quick: false });
      const message = { id, files: { names, buffers } };
      if (this.worker) this.worker.postMessage(message, buffers);
      else this.host?.handle(message);
    });
  }

  send(message) {
    if (this.worker) this.worker.postMessage(message);
    else this.host?.handle(message);
  }

  receive(m) {
    this.heard = performance.now();
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
    if (this.recovering || this.waiting.size === 0) return;
    const now = performance.now();
    const silent = now - this.heard;
    for (const [id, w] of this.waiting) {
      if (w.quick && now - w.since > QUICK_MS) {
        this.waiting.delete(id);
        w.reject(new Error(this.texts.noAnswer));
      }
    }
    if (this.mode !== 'worker') return;
    if (silent > SILENCE_MS) this.lost(this.texts.silent);
    else if (silent > PING_AFTER_MS) this.worker?.postMessage({ ping: true });
  }

  /** The engine died: rejects what is pending, starts another, and lets the page restore the run. */
  lost(reason) {
    if (this.recovering) return;
    const pending = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of pending) w.reject(new Error(`${this.texts.engineStopped}${reason}`));
    if (this.mode === 'worker') this.failures++;
    this.worker?.terminate();
    this.worker = null;
    this.host = null;
    this.onLost(reason);
    this.recovering = (async () => {
      await this.start();
      this.heard = performance.now();
    })();
    this.recovering.then(async () => {
      this.recovering = null;
      await this.onRestarted();
    }, (e) => this.onLost(String(e?.message ?? e)));
  }

  /** Main-thread mode: work for up to `budgetMs` of this frame. */
  pump(budgetMs) {
    if (this.host && this.host.busy()) this.host.pump(budgetMs);
  }
}
