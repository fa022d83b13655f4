// Property tests of the embed's message protocol (www/protocol.js with the core's call checks, Rust's
// `HostCall`, loaded from the built wasm), in node: arbitrary values sent by the parent window are answered
// ok: false with a message or ignored — never thrown, never a call with arguments the lab does not accept —
// and well-formed requests reach the lab with exactly their arguments.
import { test } from './harness.mjs';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { attachProtocol } from '../../www/protocol.js';
import { initSync, hostCall, options } from '../../target/site/pkg/lastlayer.js';

initSync({ module: readFileSync(new URL('../../target/site/pkg/lastlayer_bg.wasm', import.meta.url)) });
const PRESETS = JSON.parse(options()).presets.map((p) => p.name);
const CALLS = ['play', 'pause', 'step', 'reset', 'loadPreset', 'setConfig', 'config', 'metrics', 'presets', 'subscribe', 'unsubscribe'];

/** A frame with the protocol attached to a stub lab; returns how to deliver a message and what came back. */
function frame() {
  const listeners = [];
  const posted = [];
  const parent = { postMessage: (m, origin) => posted.push({ m, origin }) };
  const calls = [];
  const lab = {
    presets: () => { calls.push(['presets']); return PRESETS.map((name) => ({ name })); },
    play: () => { calls.push(['play']); return null; },
    pause: () => { calls.push(['pause']); return null; },
    step: (n) => { calls.push(['step', n]); return n; },
    reset: () => { calls.push(['reset']); return null; },
    loadPreset: (name) => { calls.push(['loadPreset', name]); return true; },
    setConfig: (partial) => { calls.push(['setConfig', partial]); return JSON.stringify(partial).length; },
    config: () => { calls.push(['config']); return { data: { set: 'blobs' } }; },
    metrics: () => { calls.push(['metrics']); return { step: 0 }; },
  };
  const win = { parent, addEventListener: (type, f) => listeners.push([type, f]) };
  attachProtocol(lab, hostCall, win);
  const deliver = async (data, source = parent) => {
    for (const [type, f] of listeners) if (type === 'message') await f({ source, data });
  };
  return { deliver, posted, calls, parent };
}

const anyMessage = fc.oneof(
  fc.anything(),
  fc.record({ lastlayer: fc.constantFrom(1, 2, '1'), id: fc.oneof(fc.integer(), fc.string(), fc.anything()), call: fc.oneof(fc.constantFrom(...CALLS), fc.anything()), args: fc.anything() }, { requiredKeys: [] }),
  fc.record({ lastlayer: fc.constant(1), id: fc.integer(), call: fc.constantFrom(...CALLS), args: fc.oneof(fc.anything(), fc.integer({ min: -10, max: 2_000_000 }), fc.integer({ min: -3, max: 3 }), fc.constantFrom(0, 1, 1_000_000, 1_000_001, 1.5, NaN, Infinity, -0), fc.constantFrom(...PRESETS, 'nope'), fc.double()) }),
);

test('hostCall(): any call and arguments give a checked call or a message, never an exception', () => {
  fc.assert(fc.property(fc.oneof(fc.anything(), fc.constantFrom(...CALLS)), fc.anything(), (call, args) => {
    const json = (v) => { try { return JSON.stringify(v) ?? 'null'; } catch { return '"x"'; } };
    const r = JSON.parse(hostCall(json(call), json(args)));
    if (r.ok) assert.ok(CALLS.includes(r.call), r.call);
    else assert.ok(typeof r.error === 'string' && r.error.length > 0);
  }), { numRuns: 3000, seed: 42 });
});

test('the frame answers every well-addressed message, ok: false with an error or ok: true, and calls the lab only with valid arguments', async () => {
  await fc.assert(fc.asyncProperty(anyMessage, async (message) => {
    const { deliver, posted, calls } = frame();
    posted.length = 0; // the ready event
    await deliver(message);
    const replies = posted.splice(0);
    const made = calls.splice(0);
    await deliver({ lastlayer: 1, id: 0, call: 'unsubscribe' }); // stops a subscription's timer
    const addressed = message !== null && typeof message === 'object' && message.lastlayer === 1
      && ((typeof message.id === 'string' && message.id.length <= 200) || (typeof message.id === 'number' && Number.isFinite(message.id)));
    if (!addressed) {
      assert.equal(replies.length, 0, 'not for us: ignored');
      assert.equal(made.length, 0);
      return;
    }
    assert.equal(replies.length, 1, 'one reply');
    const { m, origin } = replies[0];
    assert.equal(origin, '*');
    assert.equal(m.lastlayer, 1);
    assert.equal(m.id, message.id);
    if (m.ok) {
      if (message.call === 'subscribe' || message.call === 'unsubscribe') {
        assert.deepEqual([made.length, m.value], [0, true]);
        return;
      }
      assert.equal(made.length, 1);
      const [call, arg] = made[0];
      assert.equal(call, message.call);
      if (call === 'step') assert.ok(Number.isInteger(arg) && arg >= 1 && arg <= 1_000_000, `step ${arg}`);
      if (call === 'loadPreset') assert.ok(PRESETS.includes(arg));
      if (call === 'setConfig') assert.ok(arg !== null && typeof arg === 'object' && !Array.isArray(arg));
      assert.doesNotThrow(() => JSON.stringify(m.value));
    } else {
      assert.equal(m.ok, false);
      assert.equal(typeof m.error, 'string');
      assert.ok(m.error.length > 0);
      assert.equal(made.length, 0, 'a refused request calls nothing');
    }
  }), { numRuns: 3000, seed: 7 });
});

test('messages from anyone but the parent window are ignored', async () => {
  const { deliver, posted, calls } = frame();
  posted.length = 0;
  await deliver({ lastlayer: 1, id: 1, call: 'play' }, { postMessage() {} });
  assert.deepEqual([posted.length, calls.length], [0, 0]);
  await deliver({ lastlayer: 1, id: 2, call: 'play' });
  assert.deepEqual([posted.length, calls.length], [1, 1]);
});
