// Last Layer Lab's shell: loads the wasm core once, starts the engine (client.js), and wires the modules that
// each do one job — the controls, the draw loop, the words (readout, banners, messages), the lesson, the embed
// layout, sharing, `window.lab` and the embed's message protocol. Every number, message, picture, choice and
// limit comes from Rust: the engine (in a Web Worker or on this thread) and the page handle, which draws from
// the engine's snapshots.
import init, * as core from './pkg/lastlayer.js';
import { Client } from './client.js';
import { createLab, errorText } from './api.js';
import { createControls } from './controls.js';
import { createDrawing } from './draw.js';
import { createReadout, showMessage } from './readout.js';
import { createLesson } from './lesson.js';
import { createEmbed } from './embed.js';
import { createSharing } from './share.js';
import { createRecorder } from './record.js';
import { createEditing } from './edit.js';
import { attachProtocol } from './protocol.js';
import { $ } from './dom.js';
import { boot } from './boot.js';

/** The page's parts, filled in as they start (modules reach each other through it). */
const ctx = { showMessage };
let resolveReady;
let rejectReady;
ctx.ready = new Promise((resolve, reject) => { resolveReady = resolve; rejectReady = reject; });
// A page that fails to start says so in its message box: `lab.ready` rejects for whoever awaits it, but an
// embedder that does not is not sent an unhandled rejection as well.
ctx.ready.catch(() => {});
const { lab, actions } = createLab(ctx);
window.lab = lab;

async function main() {
  // boot.js began the download, the compilation and the engine's worker (instantiating the same compiled
  // module) while the page loaded; this thread instantiates its own.
  const module = await boot.module;
  let greeted;
  const greeting = new Promise((resolve) => { greeted = resolve; });
  const client = new Client({
    module,
    firstWorker: boot.worker,
    base: location.href,
    texts: new Proxy({}, { get: (_, key) => ctx.texts?.[key] ?? '' }),
    onSnapshot: (bytes) => {
      if (ctx.page.apply(bytes)) ctx.drawing.newRun();
      ctx.drawing.snapshotApplied();
      // New classes can arrive mid-run (a class-incremental run's second phase): the point editor offers them.
      ctx.editing?.syncClasses(ctx.page.editClasses());
      greeted();
    },
    onEvent: () => {
      ctx.controls.syncPlay();
      ctx.drawing.markDirty();
    },
    longestWorkMs: () => ctx.page?.longestWorkMs() ?? 0,
    onLost: (reason) => {
      // The page keeps showing the run as it was until the new engine has it back.
      ctx.page.beginRestore();
      showMessage(`${ctx.texts.engineStopped}${reason}${ctx.texts.restoring}`);
    },
    onRestarted: async () => {
      showEngine(client.mode);
      const generation = client.generation;
      try {
        const step = await actions.restore();
        showMessage(ctx.texts.restored.replace('{step}', Number(step).toLocaleString('en')), 'info');
      } catch (e) {
        // Lost again while restoring: the next engine is restored instead.
        if (client.generation !== generation) return;
        actions.showRestored();
        showMessage(`${ctx.texts.restoreFailed}${errorText(e)}`);
      }
    },
  });
  ctx.client = client;
  await init({ module_or_path: module });
  const options = JSON.parse(core.options());
  const texts = options.texts;
  const plan = JSON.parse(core.startPlan(JSON.stringify(Object.fromEntries(new URLSearchParams(location.search)))));
  const page = new core.Page();
  Object.assign(ctx, { options, texts, page, actions, present: plan.present, formatNumber: core.formatNumber });
  const showEngine = (mode) => {
    document.body.dataset.engine = mode;
    page.setMainThread(mode !== 'worker');
    $('engine-mode').textContent = mode === 'worker' ? texts.engineWorker : texts.engineMain;
  };
  let lastWatch = null;

  ctx.drawing = createDrawing({
    ...ctx,
    client,
    refreshText: (rate) => ctx.readout.update(rate),
    recorded: () => ctx.recorder?.views() ?? [],
    beforeFrame: () => {
      ctx.controls.syncPlay();
      ctx.recorder.frame();
      if (plan.embed) ctx.embed.check();
    },
  });
  ctx.redraw = (fast) => ctx.drawing.drawAll(fast);
  ctx.readout = createReadout({ page, actions, texts, onBannersChanged: () => plan.embed && ctx.embed.layout() });
  ctx.lesson = createLesson({ options, texts, actions, onChange: () => ctx.sharing.scheduleUrlUpdate(), setSpeed: (v) => ctx.controls.setSpeed(v), setChartsAlone: (on) => ctx.drawing.setChartsAlone(on) });
  ctx.sharing = createSharing({ page, actions, texts, showMessage, keep: ['embed', 'hide', 'view', 'present'], lessonStep: ctx.lesson.step, seen: () => ctx.drawing.seen() });
  ctx.recorder = createRecorder({ page, texts, showMessage });
  ctx.editing = createEditing({ page, actions, texts, showMessage, embed: plan.embed });
  ctx.controls = createControls({
    ...ctx,
    onPresetShown: (name) => {
      if (name === lastWatch) return;
      lastWatch = name;
      $('preset-watch').textContent = options.presets.find((p) => p.name === name)?.watch ?? '';
    },
    onEscape: () => ctx.lesson.escape(),
    // The figures that exist only for some runs: the page shows them; an embed offers them as views.
    showFigures: (available) => {
      for (const [name, on] of Object.entries(available)) $(`${name}-figure`).dataset.available = String(on);
      if (plan.embed) ctx.embed.layout();
      else for (const [name, on] of Object.entries(available)) $(`${name}-figure`).hidden = !on;
    },
  });
  ctx.embed = createEmbed({ plan, drawing: ctx.drawing });
  ctx.sync = () => ctx.controls.sync();
  ctx.afterChange = () => {
    ctx.drawing.markDirty();
    ctx.controls.sync();
    ctx.controls.syncPlay();
    ctx.sharing.scheduleUrlUpdate();
  };
  ctx.afterPlay = () => {
    ctx.controls.syncPlay();
    ctx.drawing.markDirty(); // redraw at full quality when pausing
    ctx.readout.updateBanners();
  };

  // The engine is started once the page can take its snapshots (boot.js's worker has been starting all along).
  await client.start();
  showEngine(client.mode);
  // The engine greets with its run's first snapshot before its first slice of work; the same snapshot asked
  // for (with a request's deadline) is answered only after that slice: whichever comes first is taken.
  await Promise.race([greeting, actions.refresh()]);
  ctx.controls.wire();
  ctx.editing.wire();
  ctx.lesson.wire();
  ctx.sharing.wire();
  ctx.recorder.wire();
  ctx.drawing.observe();
  ctx.readout.build();
  for (const request of plan.requests) await actions.start(request);
  if (plan.message) showMessage(plan.message);
  if (plan.embed) ctx.embed.wire();
  if (plan.present) document.body.classList.add('present');
  // The first picture waits for the first measurement, but not for long: a heavy run shows its data and
  // its cost first.
  await Promise.race([actions.settle().catch(() => {}), new Promise((r) => setTimeout(r, 1500))]);
  ctx.controls.sync();
  ctx.drawing.start();
  if (plan.lesson !== null) await ctx.lesson.show(plan.lesson - 1);
  if (plan.play) await actions.setPlaying(true);
}

main().then(() => {
  resolveReady();
  attachProtocol(lab, core.hostCall);
}, (e) => {
  rejectReady(e);
  // The core's texts, unless the core itself could not be had (then the one text the shell carries).
  showMessage(`${ctx.texts?.couldNotStart ?? 'Last Layer Lab could not start: '}${errorText(e)}`);
});
