// The example post's script: drives the embedded lab (a sandboxed iframe) through Last Layer Lab's
// postMessage protocol as the reader scrolls from one section to the next, and keeps the caption under it
// live from the lab's metrics events (about twice a second).
const frame = document.getElementById('lab');
const where = document.getElementById('status-section');
const numbers = document.getElementById('status-numbers');
let nextId = 1;
const waiting = new Map();
window.postState = { ready: false, active: null, preset: null, caption: '' };

/** How often the caption follows the lab, in ms. */
const CAPTION_EVERY_MS = 500;
let lastCaption = 0;

window.addEventListener('message', (event) => {
  if (event.source !== frame.contentWindow) return;
  const m = event.data;
  if (!m || m.lastlayer !== 1) return;
  if (m.event === 'ready') {
    window.postState.ready = true;
    where.textContent = 'The lab is ready: scroll on.';
    call('subscribe');
    activate(window.postState.pending ?? 'blobs');
  } else if (m.event === 'metrics') {
    caption(m.value);
  } else if (waiting.has(m.id)) {
    waiting.get(m.id)(m);
    waiting.delete(m.id);
  }
});

/** Sends one call to the lab; resolves with its reply (or a failure after 30 s without one). */
function call(name, args) {
  const id = nextId++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => { waiting.delete(id); resolve({ ok: false, error: 'no answer' }); }, 30000);
    waiting.set(id, (m) => { clearTimeout(timer); resolve(m); });
    frame.contentWindow.postMessage({ lastlayer: 1, id, call: name, args }, '*');
  });
}

/** The caption: which section's experiment the lab shows, its step, and the angle once it is measured. */
function caption(m, force = false) {
  const now = performance.now();
  if (!force && now - lastCaption < CAPTION_EVERY_MS) return;
  lastCaption = now;
  const angle = Number.isFinite(m.angle_wb_deg)
    ? `angle to the SVM ${m.angle_wb_deg.toFixed(2)}° (measured at step ${m.svm_fitted_at_step.toLocaleString('en')})`
    : 'the angle is not measured yet';
  const text = `step ${m.step.toLocaleString('en')}, ${angle}`;
  numbers.textContent = text;
  window.postState.caption = text;
  window.postState.captionStep = m.step;
}

// What each section shows.
const steps = {
  blobs: async () => { await call('loadPreset', 'blobs'); await call('play'); return 'blobs'; },
  slow: async () => { await call('loadPreset', 'blobs'); await call('step', 3000); return 'blobs'; },
  fast: async () => { await call('loadPreset', 'normalized_gd'); await call('play'); return 'normalized_gd'; },
  mse: async () => { await call('loadPreset', 'mse'); await call('play'); return 'mse'; },
  overlap: async () => { await call('loadPreset', 'moons_overlap'); await call('play'); return 'moons_overlap'; },
};

let queue = Promise.resolve();
function activate(name) {
  if (!window.postState.ready) {
    window.postState.pending = name;
    return;
  }
  if (window.postState.target === name) return;
  window.postState.target = name;
  queue = queue.then(async () => {
    if (window.postState.target !== name) return;
    await call('pause');
    const preset = await steps[name]();
    window.postState.preset = preset;
    window.postState.active = name;
    where.textContent = document.querySelector(`[data-step="${name}"] h2`).textContent;
    const m = await call('metrics');
    if (m.ok) caption(m.value, true);
  });
}

const observer = new IntersectionObserver((entries) => {
  for (const e of entries) if (e.isIntersecting) activate(e.target.dataset.step);
  // The section read is the one across a line near the middle of what the lab leaves visible: the screen's
  // middle beside the lab, lower down on a phone where the lab holds the top half.
}, { rootMargin: matchMedia('(max-width: 800px)').matches ? '-72% 0px -18% 0px' : '-45% 0px -45% 0px' });
for (const section of document.querySelectorAll('[data-step]')) observer.observe(section);
