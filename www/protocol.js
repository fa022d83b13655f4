// The postMessage protocol for pages that embed the lab in an iframe (documented in the README):
//   host → frame: {lastlayer: 1, id, call, args}
//   frame → host: {lastlayer: 1, id, ok: true, value} or {lastlayer: 1, id, ok: false, error}
//   unasked:      {lastlayer: 1, event: 'ready'} once, and {lastlayer: 1, event: 'metrics', value} at most four
//                 times a second while subscribed.
// Messages are taken only from the parent window. The core checks every call and its arguments (Rust's
// `HostCall`, src/request.rs) before `window.lab` sees it; anything else is answered with ok: false or
// ignored, never thrown, and nothing from a message is evaluated or inserted as HTML. Replies go to the
// sender with target origin '*': nothing in them is secret, and a sandboxed frame's own origin is opaque.

/** How often a subscribed host gets the metrics, in ms. */
const METRICS_EVERY_MS = 250;

function validId(id) {
  return (typeof id === 'string' && id.length <= 200) || (typeof id === 'number' && Number.isFinite(id));
}

/** JSON of any value a message can carry; what JSON cannot hold exactly (NaN, ±Infinity, cycles, BigInt)
 * becomes a string that no call accepts, and an absent value is null. */
export function asJson(value) {
  try {
    return JSON.stringify(value === undefined ? null : value, (_, v) => {
      if (typeof v === 'number' && !Number.isFinite(v)) return '(not a finite number)';
      if (typeof v === 'bigint') return '(a BigInt)';
      return v;
    }) ?? 'null';
  } catch {
    return '"(not JSON-serialisable)"';
  }
}

/**
 * Answers the parent window's requests with `lab` (the page's scripting interface).
 * @param {object} lab window.lab
 * @param {(call: string, args: string) => string} check the core's `hostCall`: the checked call as JSON
 * @param {Window} [win] the frame's window (tests pass a stand-in)
 */
export function attachProtocol(lab, check, win = window) {
  if (win.parent === win) return;
  const parent = win.parent;
  const post = (message) => {
    try {
      parent.postMessage({ lastlayer: 1, ...message }, '*');
    } catch {
      // A host that went away: nothing to tell.
    }
  };
  let subscription = null;
  const own = {
    subscribe: () => {
      if (!subscription) {
        subscription = setInterval(async () => {
          try { post({ event: 'metrics', value: await lab.metrics() }); } catch { /* the next tick tries again */ }
        }, METRICS_EVERY_MS);
      }
      return true;
    },
    unsubscribe: () => {
      clearInterval(subscription);
      subscription = null;
      return true;
    },
  };
  win.addEventListener('message', async (event) => {
    if (event.source !== parent) return;
    const message = event.data;
    if (message === null || typeof message !== 'object' || message.lastlayer !== 1 || !validId(message.id)) return;
    const id = message.id;
    const checked = JSON.parse(check(asJson(message.call), asJson(message.args)));
    if (!checked.ok) {
      post({ id, ok: false, error: checked.error });
      return;
    }
    try {
      const f = own[checked.call] ?? ((args) => lab[checked.call](args));
      const value = await f(checked.args);
      // Only plain data goes back.
      post({ id, ok: true, value: value === undefined ? null : JSON.parse(JSON.stringify(value)) });
    } catch (e) {
      post({ id, ok: false, error: String(e?.message ?? e).slice(0, 500) });
    }
  });
  post({ event: 'ready' });
}
