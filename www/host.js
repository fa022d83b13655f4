// The engine's host: runs the wasm core's Driver (the engine, its requests and their pacing, all in Rust) in a
// Web Worker (worker.js) or, where no worker can start, on the page's main thread (client.js pumps it from its
// animation frames). It forwards requests it never reads, fetches the tables the driver asks for, and sends
// the driver's messages with a snapshot of what changed:
//   in:  {id, request}                 (a request as Rust's `Request` reads it, src/request.rs)
//        {id, files: {names, buffers}} (a network's files to check, src/check.rs: bytes, not JSON)
//   out: {messages: [...], snapshot}   (Rust's `Message`s: replies, `paused` events; none in the greeting: the
//                                      first engine's first snapshot, sent unasked as soon as its host is made)
//        {alive: true}                 (while working on a long request, at most four times a second)
//        every message carries `slowest`: the longest piece of work (ms) done without a pause so far
//        {crashed: reason}             (the core failed; this host is dead and its owner starts another)

/** How often a busy host says it is alive, in ms (the page declares a host lost after 2.5 s of silence, or longer
 * for a run whose work comes in longer pieces: see client.js). */
const HEARTBEAT_MS = 250;

export class Host {
  /**
   * @param {object} wasm the initialised wasm-bindgen module
   * @param {(message: object, transfer?: Transferable[]) => void} post
   * @param {{onMainThread: boolean, base: string}} options
   */
  constructor(wasm, post, options) {
    this.post = post;
    this.base = options.base;
    this.driver = new wasm.Driver(options.onMainThread);
    this.queue = Promise.resolve();
    this.lastSent = 0;
    this.dead = false;
    /** The longest call into the core so far (ms): how long this host may rightly stay silent. */
    this.slowest = 0;
    /** Called when a request may have given the driver work (the worker's loop wakes up). */
    this.kick = null;
  }

  /** Takes request `id` (handled in order: one that needs a table waits for it, and so do those after it). */
  handle({ id, request, files }) {
    const work = files ? () => this.checkFiles(id, files) : () => this.process(id, request);
    this.queue = this.queue.then(work).then(() => this.kick?.());
  }

  /** A network's files to check: their bytes in one array, where each ends in another. */
  checkFiles(id, { names, buffers }) {
    const lengths = new Uint32Array(buffers.map((b) => b.byteLength));
    const bytes = new Uint8Array(lengths.reduce((a, b) => a + b, 0));
    let at = 0;
    for (const b of buffers) {
      bytes.set(new Uint8Array(b), at);
      at += b.byteLength;
    }
    this.send(this.call(() => this.driver.checkFiles(id, JSON.stringify(names), bytes, lengths)));
  }

  async process(id, request) {
    if (this.dead) return;
    const json = JSON.stringify(request);
    let messages = this.call(() => this.driver.request(id, json));
    const needs = messages.find((m) => m.needs_table?.id === id)?.needs_table;
    if (needs) {
      messages = messages.filter((m) => m.needs_table?.id !== id);
      let answer;
      try {
        const text = await fetchGzipText(new URL(needs.path, this.base));
        const provided = this.call(() => this.driver.request(id, JSON.stringify({ provide_table: { name: needs.name, text } })));
        const failed = provided.find((m) => m.reply?.id === id && !m.reply.ok);
        answer = failed ? [failed] : this.call(() => this.driver.request(id, json));
      } catch (e) {
        answer = [{ reply: { id, ok: false, error: this.driver.tableFailed(needs.path, String(e?.message ?? e)) } }];
      }
      messages.push(...answer);
    }
    this.send(messages);
  }

  /** Calls the driver; a throw (a panic in the core) kills this host: its owner is told and starts another. */
  call(f) {
    if (this.dead) return [];
    const t0 = performance.now();
    try {
      return JSON.parse(f());
    } catch (e) {
      this.dead = true;
      this.post({ crashed: String(e?.message ?? e) });
      return [];
    } finally {
      this.slowest = Math.max(this.slowest, performance.now() - t0);
    }
  }

  /** Whether the driver has work to do. */
  busy() {
    return !this.dead && this.driver.busy();
  }

  /** Works for up to `budgetMs` and sends what is due. */
  pump(budgetMs) {
    if (this.dead) return;
    const messages = this.call(() => this.driver.pump(budgetMs));
    if (messages.length) this.send(messages);
    else if (performance.now() - this.lastSent > HEARTBEAT_MS) {
      this.lastSent = performance.now();
      this.post({ alive: true, slowest: this.slowest });
    }
  }

  /** Sends the driver's snapshot unasked: the engine's run as it starts, before its first slice of work. */
  greet() {
    this.send([], true);
  }

  send(messages, always = false) {
    if (this.dead || (messages.length === 0 && !always)) return;
    let snapshot;
    try {
      snapshot = this.driver.snapshot();
    } catch (e) {
      this.dead = true;
      this.post({ crashed: String(e?.message ?? e) });
      return;
    }
    this.lastSent = performance.now();
    this.post({ messages, snapshot, slowest: this.slowest }, [snapshot.buffer]);
  }
}

/** Fetches and decompresses a gzipped text file. */
async function fetchGzipText(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return new Response(response.body.pipeThrough(new DecompressionStream('gzip'))).text();
}
