// The postMessage protocol for pages that embed the lab in an iframe (documented in the README):
//   host → frame: {lastlayer: 1, id, call, args}
//   frame → host: {lastlayer: 1, id, ok: true, value} or {lastlayer: 1, id, ok: false, error}
//   unasked:      {lastlayer: 1, event: 'ready'} once, and {lastlayer: 1, event: 'metrics', value} at most four
//                 times a second while subscribed.
// Messages are taken only from the parent window. Every field is checked; anything else is answered with
// ok: false or ignored, never thrown, and nothing from a message is evaluated or inserted as HTML. Replies go
// to the sender with target origin '*': nothing in them is secret, and a sandboxed frame's own origin is
// opaque.

const MAX_CONFIG_BYTES = 200_000;
const MAX_STEPS = 1_000_000;

/** Validates one request; returns an error message, or null when it is well formed. */
export function problem(message, presetNames) {
  const { call, args } = message;
  const known = ['play', 'pause', 'step', 'reset', 'loadPreset', 'setConfig', 'config', 'metrics', 'presets', 'subscribe', 'unsubscribe'];
  if (typeof call !== 'string' || !known.includes(call)) return `unknown call '${typeof call === 'string' ? call.slice(0, 40) : typeof call}': use one of ${known.join(', ')}`;
  switch (call) {
    case 'step':
      if (args !== undefined && !(Number.isInteger(args) && args >= 1 && args <= MAX_STEPS)) return `step takes a whole number of steps from 1 to ${MAX_STEPS}`;
      return null;
    case 'loadPreset':
      if (typeof args !== 'string' || !presetNames.includes(args)) return `loadPreset takes a preset name: ${presetNames.join(', ')}`;
      return null;
    case 'setConfig': {
      if (args === null || typeof args !== 'object' || Array.isArray(args)) return 'setConfig takes a (partial) configuration object';
      let text;
      try { text = JSON.stringify(args); } catch { return 'setConfig takes a JSON-serialisable object'; }
      if (text.length > MAX_CONFIG_BYTES) return `setConfig takes at most ${MAX_CONFIG_BYTES} bytes of JSON`;
      return null;
    }
    default:
      return args === undefined || args === null ? null : `${call} takes no arguments`;
  }
}

function validId(id) {
  return (typeof id === 'string' && id.length <= 200) || (typeof id === 'number' && Number.isFinite(id));
}

/** Answers the parent window's requests with `lab` (the page's scripting interface). */
export function attachProtocol(lab) {
  if (window.parent === window) return;
  const parent = window.parent;
  const post = (message) => {
    try {
      parent.postMessage({ lastlayer: 1, ...message }, '*');
    } catch {
      // A host that went away: nothing to tell.
    }
  };
  const presetNames = lab.presets().map((p) => p.name);
  let subscription = null;
  const calls = {
    play: () => lab.play(),
    pause: () => lab.pause(),
    step: (n) => lab.step(n ?? 1),
    reset: () => lab.reset(),
    loadPreset: (name) => lab.loadPreset(name),
    setConfig: (partial) => lab.setConfig(partial),
    config: () => lab.config(),
    metrics: () => lab.metrics(),
    presets: () => lab.presets(),
    subscribe: () => {
      if (!subscription) {
        subscription = setInterval(async () => {
          try { post({ event: 'metrics', value: await lab.metrics() }); } catch { /* the next tick tries again */ }
        }, 250);
      }
      return true;
    },
    unsubscribe: () => {
      clearInterval(subscription);
      subscription = null;
      return true;
    },
  };
  window.addEventListener('message', async (event) => {
    if (event.source !== parent) return;
    const message = event.data;
    if (message === null || typeof message !== 'object' || message.lastlayer !== 1 || !validId(message.id)) return;
    const id = message.id;
    const error = problem(message, presetNames);
    if (error) {
      post({ id, ok: false, error });
      return;
    }
    try {
      const value = await calls[message.call](message.args);
      // Only plain data goes back.
      post({ id, ok: true, value: value === undefined ? null : JSON.parse(JSON.stringify(value)) });
    } catch (e) {
      post({ id, ok: false, error: String(e?.message ?? e).slice(0, 500) });
    }
  });
  post({ event: 'ready' });
}
