// The page's scripting interface, `window.lab` (documented in the README), and the actions the page's own
// controls take. This is the one place the shell spells the engine's requests (the vocabulary is Rust's
// `Request`, src/request.rs): the controls, the lesson, the embed's message protocol and the tests all come
// through here.

/** The message of an error (or of anything thrown). */
export const errorText = (e) => e?.message ?? String(e);

/**
 * @param {object} ctx the page: {client, page, options, showMessage, afterChange, afterPlay, sync, redraw, ready}
 *   (read when used: the page fills it in as it starts)
 * @returns {{lab: object, actions: object}}
 */
export function createLab(ctx) {
  /** Files the user imported, by name: a restarted engine gets them again. */
  const imported = new Map();

  /** Sends a request that changes the run: the controls follow on success; on error the message is shown,
   * the controls return to the state that survived, and the promise rejects. */
  async function change(request) {
    try {
      const value = await ctx.client.request(request);
      ctx.afterChange();
      return value;
    } catch (e) {
      ctx.showMessage(errorText(e));
      ctx.sync();
      throw e;
    }
  }

  /** Like `change`, but resolves to null instead of rejecting (the message is shown either way). */
  const attempt = (request) => change(request).catch(() => null);

  async function setPlaying(on) {
    if (on === ctx.page.playing()) return;
    try {
      await ctx.client.request(on ? 'play' : 'pause');
    } catch (e) {
      ctx.showMessage(errorText(e));
    }
    ctx.afterPlay();
  }

  /** Takes n steps; resolves to the steps taken, or rejects (and shows the message) when none could be taken
   * (a file is shown, the engine stopped while taking them). */
  async function step(n = 1) {
    try {
      if (ctx.page.playing()) await setPlaying(false);
      const done = await ctx.client.request({ step: Math.max(0, Math.floor(Number(n) || 0)) }, { quick: false });
      ctx.afterPlay();
      return done;
    } catch (e) {
      ctx.showMessage(errorText(e));
      throw e;
    }
  }

  /** Reads `files` and has the engine check them; the views then show the file (a message on failure). */
  async function checkFiles(files) {
    const list = [...files];
    const buffers = await Promise.all(list.map((f) => f.buffer ?? f.arrayBuffer()));
    try {
      const report = await ctx.client.checkFiles(list.map((f) => f.name), buffers);
      ctx.afterChange();
      return report;
    } catch (e) {
      ctx.showMessage(errorText(e));
      throw e;
    }
  }

  async function loadPreset(name) {
    try {
      await change({ load_preset: name });
      return true;
    } catch {
      return false;
    }
  }

  /** Sets a restarted engine up as the lost one was — its files, its config, its step, playing or not — from
   * the state the page still shows (`page.beginRestore` keeps it while the new engine's snapshots build the
   * restored run aside); shows the restored run once it is complete. Sent ahead of the requests that wait for
   * the restore. */
  async function restore() {
    const config = JSON.parse(ctx.page.config());
    const step = ctx.page.step();
    const playing = ctx.page.playing();
    const tables = [...imported].map(([name, text]) => ({ name, text }));
    const reached = await ctx.client.request({ restore: { tables, config, step, playing } }, { quick: false, now: true });
    showRestored();
    return reached;
  }

  /** The restore is over (done, or failed): the page shows the new engine's run. */
  function showRestored() {
    ctx.page.endRestore();
    ctx.drawing.newRun();
    ctx.drawing.snapshotApplied();
    ctx.editing?.syncClasses(ctx.page.editClasses());
    ctx.afterChange();
  }

  const lab = {
    ready: ctx.ready,
    /** async: starts training. */
    play: () => setPlaying(true),
    /** async: stops training (the step paused at is then measured). */
    pause: () => setPlaying(false),
    isPlaying: () => ctx.page.playing(),
    /** async: takes n steps now and measures the result; resolves to the steps taken. */
    step,
    /** async: restarts the run. */
    reset: () => attempt('reset'),
    /** The current configuration. */
    config: () => JSON.parse(ctx.page.config()),
    /** async: merges a partial configuration; rejects (and shows a message) if invalid, keeping the state. */
    setConfig: async (partial) => { await change({ set_config: partial }); },
    /** async: the newest measurement's numbers and the run's state (no side effects). While a new engine is
     * restored: the last state the page had, at once, with `restoring: true`. */
    metrics: async () => {
      try {
        if (!ctx.page.restoring()) await ctx.client.request('snapshot');
      } catch (e) {
        // The engine was lost while answering: its last state, flagged, as while restoring.
        if (!ctx.page.restoring()) throw e;
      }
      return { ...JSON.parse(ctx.page.metrics()), engine: ctx.client.mode };
    },
    /** async: measures the current step, then returns the metrics. */
    measure: async () => {
      await ctx.client.request('settle', { quick: false });
      return lab.metrics();
    },
    /** The experiments: a class-incremental run's arms (memories, records) and the adversarial examples. */
    experiments: () => JSON.parse(ctx.page.experiments()),
    presets: () => ctx.options.presets.map(({ name, title, watch, steps }) => ({ name, title, watch, steps })),
    /** async: starts the preset `name`. */
    loadPreset: async (name) => { if (!(await loadPreset(name))) throw new Error(`unknown preset '${name}'`); },
    /** Redraws every view now; returns the milliseconds it took. */
    redraw: (fast = false) => ctx.redraw(fast),
    /** async: the whole run as JSON text. */
    exportRun: () => ctx.client.request('export_run', { quick: false }),
    engine: () => ctx.client.mode,
    /** The gallery's examples as data ({step, support, hardest}: label, predictions, weight, index), or null. */
    gallery: () => JSON.parse(ctx.page.gallery()),
    /** Where the input view's plot was last drawn (canvas pixels) and the data rectangle it shows, or null. */
    inputPlot: () => JSON.parse(ctx.page.plot('input')),
    /** async: checks a network's files (File objects, or {name, buffer: ArrayBuffer}: .npz, .npy, safetensors;
     * README "Your own network") and shows them; resolves with the report ({final, history, regime, …}). */
    checkFiles: async (files) => JSON.parse(await checkFiles(files)),
    /** The shown network's file's report, or null. */
    checked: () => JSON.parse(ctx.page.checked()),
    /** async: any request of the engine's vocabulary (src/request.rs), for what the members above do not cover. */
    request: (request) => change(request),
  };

  // What the page's own modules do (each shows its error and keeps the state that survived).
  const actions = {
    /** async: brings the page's copy of the run up to date (the engine's snapshot of what changed). */
    refresh: () => ctx.client.request('snapshot'),
    /** async: resolves once the current step is measured (or cannot be). */
    settle: () => ctx.client.request('settle', { quick: false }),
    setPlaying,
    /** Takes n steps (the Step button, the keyboard, the lesson): a failure is shown, and resolves to 0. */
    step: (n) => step(n).catch(() => 0),
    loadPreset,
    restore,
    showRestored,
    reset: () => attempt('reset'),
    set: (partial) => attempt({ set_config: partial }),
    setSource: (source) => attempt({ set_source: source }),
    addLayer: () => attempt('add_layer'),
    addConv: () => attempt('add_conv'),
    addPool: () => attempt('add_pool'),
    setLayer: (layer, spec) => attempt({ set_layer: { layer, spec } }),
    removeLayer: (layer) => attempt({ remove_layer: layer }),
    setLayerWidth: (layer, width) => attempt({ set_layer_width: { layer, width } }),
    retrainLastLayer: () => attempt('retrain_last_layer'),
    clearPoints: () => attempt('clear_points'),
    speed: (perSecond) => ctx.client.request({ speed: perSecond }).catch(() => null),
    exportCsv: () => ctx.client.request('export_csv'),
    exportRun: lab.exportRun,
    importCsv: async (name, text) => {
      const reply = await attempt({ import_csv: { name, text } });
      if (reply) {
        imported.set(name, text);
        ctx.showMessage(reply.message, 'info');
      }
      return reply;
    },
    checkFiles: (files) => checkFiles(files).catch(() => null),
    /** Sends one of the link's start-up requests (Rust wrote it); an error is shown, not thrown. */
    start: (request) => ctx.client.request(request, { quick: false }).catch((e) => ctx.showMessage(errorText(e))),
    /** Sends a request Rust wrote (a banner's button, a point edit on the canvas). */
    send: (request) => attempt(request),
  };
  return { lab, actions };
}
