// The example post's script: drives the embedded lab (a sandboxed iframe) through Last Layer Lab's
// postMessage protocol as the reader scrolls from one section to the next.
const frame = document.getElementById('lab');
const status = document.getElementById('status');
let nextId = 1;
const waiting = new Map();
window.postState = { ready: false, active: null, preset: null };

window.addEventListener('message', (event) => {
  if (event.source !== frame.contentWindow) return;
  const m = event.data;
  if (!m || m.lastlayer !== 1) return;
  if (m.event === 'ready') {
    window.postState.ready = true;
    status.textContent = 'The lab is ready: scroll on.';
    activate(window.postState.pending ?? 'blobs');
  } else if (waiting.has(m.id)) {
    waiting.get(m.id)(m);
    waiting.delete(m.id);
  }
});

/** Sends one call to the lab; resolves with its reply. */
function call(name, args) {
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    frame.contentWindow.postMessage({ lastlayer: 1, id, call: name, args }, '*');
  });
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
    const m = await call('metrics');
    if (m.ok) status.textContent = `${name}: step ${m.value.step.toLocaleString('en')}, angle to the SVM ${m.value.angle_wb_deg?.toFixed(2) ?? '—'}°`;
  });
}

const observer = new IntersectionObserver((entries) => {
  for (const e of entries) if (e.isIntersecting) activate(e.target.dataset.step);
}, { rootMargin: '-45% 0px -45% 0px' });
for (const section of document.querySelectorAll('[data-step]')) observer.observe(section);
