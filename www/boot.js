// The first thing the page runs (an async module, executed as soon as it arrives, while the shell's other
// modules are still loading): it starts what the first picture waits on longest, the wasm's download and
// compilation and the engine's worker, so that they overlap the rest of the page's start. main.js and
// client.js take them from here; the wasm is downloaded and compiled once.

/** A worker that has not said it is ready this long (ms) after it was given the module has failed to start. */
const WORKER_START_MS = 8000;

/** Downloads (once) and compiles the wasm module. */
async function compileWasm(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
  try {
    return await WebAssembly.compileStreaming(response.clone());
  } catch {
    // A host that serves .wasm with another MIME type: compile from the same download's bytes.
    return WebAssembly.compile(await response.arrayBuffer());
  }
}

/**
 * Starts the engine's worker on `module` (a compiled module, or a promise of one). Resolves once the worker is
 * ready with `{worker, attach(receive, lost)}`: until `attach`, what the worker says is kept for it. Rejects
 * when no worker can start (an iframe sandboxed without allow-same-origin, a CSP without workers), the module
 * cannot be had, or the worker is not ready within WORKER_START_MS of receiving it. `greet`: the worker sends its
 * run's first snapshot unasked once ready (the first engine's; a restarted one's would show a fresh run before
 * the page restores the lost one).
 */
export function startWorker(module, base, greet = false) {
  return new Promise((resolve, reject) => {
    let worker;
    try {
      worker = new Worker(new URL('worker.js', import.meta.url), { type: 'module' });
    } catch (e) {
      reject(e);
      return;
    }
    // The deadline runs from when the worker has the module: the download and the compilation before it take
    // as long as the network does.
    let timer = null;
    const fail = (reason) => {
      clearTimeout(timer);
      worker.terminate();
      reject(reason instanceof Error ? reason : new Error(reason));
    };
    worker.onmessage = (e) => {
      if (e.data?.failed) fail(e.data.failed);
      if (!e.data?.ready) return;
      clearTimeout(timer);
      const kept = [];
      let lostReason = null;
      let handlers = null;
      worker.onmessage = (m) => (handlers ? handlers.receive(m.data) : kept.push(m.data));
      worker.onerror = (m) => {
        m.preventDefault?.();
        const reason = m.message || 'the worker failed';
        if (handlers) handlers.lost(reason);
        else lostReason ??= reason;
      };
      resolve({
        worker,
        attach(receive, lost) {
          handlers = { receive, lost };
          for (const m of kept.splice(0)) receive(m);
          if (lostReason !== null) lost(lostReason);
        },
      });
    };
    worker.onerror = (e) => { e.preventDefault?.(); fail(e.message || 'the worker failed'); };
    Promise.resolve(module).then((m) => {
      timer = setTimeout(() => fail('the worker did not start'), WORKER_START_MS);
      worker.postMessage({ init: m, base, greet });
    }, fail);
  });
}

/** What the page takes over: the compiled module and the first worker (both promises). */
export const boot = (() => {
  const module = compileWasm(new URL('pkg/lastlayer_bg.wasm', import.meta.url));
  const worker = startWorker(module, location.href, true);
  // Neither may end as an unhandled rejection before the page looks (it reports a failure itself).
  module.catch(() => {});
  worker.catch(() => {});
  return { module, worker };
})();
