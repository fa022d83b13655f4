// The engine driver: runs the wasm core's LabEngine in slices of time, answers requests and sends snapshots.
// The same code runs in the Web Worker (worker.js) and, where no worker can start, on the page's main thread
// (app.js calls pump() from its animation frames), so both modes give the same numbers: the engine's
// schedule depends on counted work, never on how the time is sliced.
//
// Requests: {id, op, args}. Replies: {id, ok: true, value, snapshot} or {id, ok: false, error}; every reply
// carries a snapshot (bytes) of what changed, so that the page is up to date when a request resolves.
// Unasked messages: {event: 'paused', reason} when training stops by itself (divergence, a heavy run).

/** Multiply-adds a single unit of work may cost before the main thread refuses it (about 30 ms on a slow laptop). */
export const MAIN_THREAD_LIMIT = 3e7;

export class EngineDriver {
  /**
   * @param {object} wasm the wasm-bindgen module (initialised), exporting LabEngine
   * @param {(message: object, transfer?: Transferable[]) => void} send
   * @param {{onMainThread: boolean, loadDigits: () => Promise<string>}} options
   */
  constructor(wasm, send, options) {
    this.engine = new wasm.LabEngine();
    this.send = send;
    this.onMainThread = options.onMainThread;
    this.loadDigits = options.loadDigits;
    this.playing = false;
    this.stepsPerSecond = Infinity;
    this.allowance = 0;
    this.lastPump = 0;
    this.stepJob = null; // {id, remaining, taken}
    this.settled = false;
    // Requests answered once the current step is measured: {id, op: 'settle' | 'exportRun'}.
    this.waiters = [];
    this.heavyAllowed = !options.onMainThread;
    this.queue = Promise.resolve();
    /** Called when a request may have given the driver work (the worker's loop wakes up). */
    this.kick = null;
  }

  /** Whether a unit of this run's work would block the main thread too long. */
  tooHeavy() {
    if (this.heavyAllowed) return false;
    return this.engine.stepCost() > MAIN_THREAD_LIMIT || this.engine.measurementCost() > 4 * MAIN_THREAD_LIMIT;
  }

  snapshot() {
    const bytes = this.engine.snapshot();
    return bytes;
  }

  reply(id, ok, payload) {
    const snapshot = this.snapshot();
    const message = ok ? { id, ok: true, value: payload, snapshot } : { id, ok: false, error: payload, snapshot };
    this.send(message, [snapshot.buffer]);
  }

  /** Makes sure the digits are loaded before a request that needs them. */
  async ensureTable(name) {
    if (name === 'digits') this.engine.provideDigits(await this.loadDigits());
    else if (name) throw new Error(`the data '${name}' are not loaded: import the file again (its rows are not part of a link)`);
  }

  /** Handles one request (requests are processed one after another, in order). */
  handle(message) {
    this.queue = this.queue.then(() => this.process(message)).catch(() => {}).then(() => this.kick?.());
  }

  /** Answers a pending step request with what it has taken (a new state supersedes it). */
  supersede() {
    if (this.stepJob) {
      const job = this.stepJob;
      this.stepJob = null;
      this.reply(job.id, true, job.taken);
    }
    this.settled = false;
  }

  async process({ id, op, args }) {
    const e = this.engine;
    // A request that changes the run supersedes a pending step request, and the new state is to be measured.
    if (['setConfig', 'loadPreset', 'reset', 'importCsv', 'addPoint', 'removePoint', 'clearPoints', 'retrain'].includes(op)) this.supersede();
    try {
      let value = null;
      switch (op) {
        case 'snapshot': break;
        case 'config': value = e.config(); break;
        case 'setConfig': {
          await this.ensureTable(e.configNeeds(args));
          value = e.setConfig(args);
          break;
        }
        case 'loadPreset': {
          await this.ensureTable(e.presetNeeds(args));
          e.loadPreset(args);
          break;
        }
        case 'reset': e.reset(); break;
        case 'retrain': e.retrainLastLayer(); break;
        case 'importCsv': value = e.importCsv(args.name, args.text); break;
        case 'addPoint': value = e.addPoint(args.x, args.y, args.label); break;
        case 'removePoint': value = e.removePoint(args.x, args.y, args.reach); break;
        case 'clearPoints': e.clearPoints(); break;
        case 'play': {
          if (this.tooHeavy()) throw new Error('this run is too heavy to train on the page\'s main thread (no Web Worker could start here): reduce the points or the layers\' widths, or press "Run anyway"');
          this.playing = true;
          this.settled = false;
          this.allowance = 0;
          this.lastPump = performance.now();
          break;
        }
        case 'pause': this.playing = false; break;
        case 'speed': this.stepsPerSecond = args > 0 ? args : Infinity; break;
        case 'allowHeavy': this.heavyAllowed = true; break;
        case 'step': {
          if (this.tooHeavy()) throw new Error('this run is too heavy to train on the page\'s main thread: reduce the points or the layers\' widths, or press "Run anyway"');
          const n = Math.max(0, Math.floor(Number(args) || 0));
          this.playing = false;
          this.settled = false;
          // Answered by pump() once the steps are taken and measured.
          this.stepJob = { id, remaining: n, taken: 0 };
          return;
        }
        case 'settle':
        case 'exportRun':
          // Answered by pump() once the current step is measured (exports and tests want its exact numbers);
          // other requests go on being answered meanwhile.
          this.waiters.push({ id, op });
          return;
        case 'exportCsv': value = e.exportCsv(); break;
        default: throw new Error(`unknown request '${op}'`);
      }
      this.reply(id, true, value);
    } catch (err) {
      this.reply(id, false, err?.message ?? String(err));
    }
  }

  /** Whether the driver has work to do. */
  busy() {
    return this.playing || this.stepJob !== null || !this.settled || this.waiters.length > 0;
  }

  /** Answers the requests waiting for a measurement of the current step. */
  answerWaiters(settled) {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      if (w.op === 'exportRun') {
        if (settled) this.reply(w.id, true, this.engine.exportRun());
        else this.reply(w.id, false, 'this run is too heavy to measure on the page\'s main thread');
      } else {
        this.reply(w.id, true, settled);
      }
    }
  }

  /** Does up to `budgetMs` of work: a pending step request, else training while playing, else settling. */
  pump(budgetMs) {
    const e = this.engine;
    const start = performance.now();
    if (this.stepJob) {
      if (this.stepJob.remaining > 0 && !e.diverged()) {
        const taken = e.run(this.stepJob.remaining, budgetMs);
        this.stepJob.remaining -= taken;
        this.stepJob.taken += taken;
        if (taken === 0 && e.diverged()) this.stepJob.remaining = 0;
      } else if (e.settle(Math.max(1, budgetMs - (performance.now() - start)))) {
        const job = this.stepJob;
        this.stepJob = null;
        this.settled = true;
        this.reply(job.id, true, job.taken);
        this.answerWaiters(true);
      }
      return true;
    }
    if (this.playing) {
      if (this.tooHeavy()) {
        this.playing = false;
        this.send({ event: 'paused', reason: 'heavy' });
        return false;
      }
      const now = performance.now();
      this.allowance = Math.min(this.allowance + (now - this.lastPump) * this.stepsPerSecond / 1000, Math.max(1, this.stepsPerSecond / 4));
      this.lastPump = now;
      const max = Number.isFinite(this.allowance) ? Math.floor(this.allowance) : 1e9;
      if (max > 0) {
        const taken = e.run(max, budgetMs);
        if (Number.isFinite(this.allowance)) this.allowance -= taken;
        if (e.diverged()) {
          this.playing = false;
          this.send({ event: 'paused', reason: 'diverged' });
        }
      }
      return true;
    }
    if (!this.settled || this.waiters.length > 0) {
      if (this.tooHeavy()) {
        this.answerWaiters(false);
        return false;
      }
      this.settled = this.settled || e.settle(budgetMs);
      if (this.settled) this.answerWaiters(true);
      return !this.settled;
    }
    return false;
  }
}

/** Fetches and decompresses the bundled digits (data/digits.csv.gz), relative to `base`. */
export async function fetchDigits(base) {
  const response = await fetch(new URL('data/digits.csv.gz', base));
  if (!response.ok) throw new Error(`the digits could not be loaded (HTTP ${response.status})`);
  const stream = response.body.pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).text();
}
