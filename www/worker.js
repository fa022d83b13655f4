// The Web Worker that trains: it receives the compiled wasm module from the page (so the wasm is downloaded
// and compiled once), instantiates it, and runs the engine driver, yielding between slices so that requests
// are answered promptly.
import init, * as wasm from './pkg/lastlayer.js';
import { EngineDriver, fetchDigits } from './engine-driver.js';

let driver = null;
const early = [];
let wake = null;

// A yield that does not suffer setTimeout's 4 ms clamp.
const channel = new MessageChannel();
let resume = null;
channel.port1.onmessage = () => { const r = resume; resume = null; r?.(); };
const yieldNow = () => new Promise((r) => { resume = r; channel.port2.postMessage(null); });

async function loop() {
  for (;;) {
    if (driver.busy()) {
      driver.pump(12);
      await yieldNow();
    } else {
      // Idle: sleep until a request arrives.
      await new Promise((r) => { wake = r; });
    }
  }
}

self.onmessage = async (event) => {
  const message = event.data;
  if (message && message.init) {
    try {
      await init({ module_or_path: message.init });
      driver = new EngineDriver(wasm, (m, transfer) => self.postMessage(m, transfer ?? []), {
        onMainThread: false,
        loadDigits: () => fetchDigits(message.base),
      });
      driver.kick = () => { const w = wake; wake = null; w?.(); };
      self.postMessage({ ready: true });
      for (const m of early) driver.handle(m);
      loop();
    } catch (e) {
      self.postMessage({ failed: String(e?.message ?? e) });
    }
    return;
  }
  if (!driver) {
    early.push(message);
    return;
  }
  driver.handle(message);
};
