// The Web Worker that trains: it receives the compiled wasm module from the page (so the wasm is downloaded
// and compiled once), instantiates it, and runs the engine's host, yielding between slices so that requests
// are answered promptly.
import init, * as wasm from './pkg/lastlayer.js';
import { Host } from './host.js';

let host = null;
const early = [];
let wake = null;

// A yield that does not suffer setTimeout's 4 ms clamp.
const channel = new MessageChannel();
let resume = null;
channel.port1.onmessage = () => { const r = resume; resume = null; r?.(); };
const yieldNow = () => new Promise((r) => { resume = r; channel.port2.postMessage(null); });

async function loop() {
  while (!host.dead) {
    if (host.busy()) {
      host.pump(12);
      await yieldNow();
    } else {
      // Idle: sleep until a request arrives.
      await new Promise((r) => { wake = r; });
    }
  }
}

self.onmessage = async (event) => {
  const message = event.data;
  if (message?.ping) {
    // The page asks whether the engine is still here (it answers even while a table is being fetched).
    self.postMessage({ alive: true });
    return;
  }
  if (message && message.init) {
    try {
      await init({ module_or_path: message.init });
      host = new Host(wasm, (m, transfer) => self.postMessage(m, transfer ?? []), { onMainThread: false, base: message.base });
      host.kick = () => { const w = wake; wake = null; w?.(); };
      self.postMessage({ ready: true });
      if (message.greet) host.greet();
      for (const m of early) host.handle(m);
      loop();
    } catch (e) {
      self.postMessage({ failed: String(e?.message ?? e) });
    }
    return;
  }
  if (!host) {
    early.push(message);
    return;
  }
  host.handle(message);
};
