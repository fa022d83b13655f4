// The draw loop: every animation frame it asks the engine for what changed, lets a main-thread engine work for
// what is left of the frame, and redraws the views that need it through the page's wasm handle (all drawing is
// Rust's: this module only sizes the canvases and spends the frame's budget).
import { $, shown } from './dom.js';

/** While playing, views are drawn in turn, oldest first, until this much of a frame is spent (at least one). */
const FRAME_DRAW_BUDGET_MS = 12;
/** While training, the input and feature views are drawn at most at this many device pixels per CSS pixel (a
 * phone's 3 costs 2.25 × the pixels of 2 in every frame's drawing and compositing, for a sharpness hard to see
 * in motion); paused, they are drawn at the screen's full resolution. */
const PLAYING_MAX_DPR = 2;
/** While training, the words (readout, step counter, banners) are refreshed at most this often (ms). */
const WORDS_EVERY_MS = 120;
/** Below this CSS width the convergence charts show the angle chart alone: four panels in less are unreadable. */
const NARROW_CHARTS_PX = 520;
/** Below this CSS width an embed's experiment view shows its first chart alone (a frame keeps its shape, so the
 * panels cannot stack: four in a square this small are about 40 × 25 px each). */
const NARROW_EMBED_PX = 400;
const VIEWS = ['input-view', 'feature-view', 'charts-view', 'theory-view', 'experiment-view', 'gallery-view'];

/**
 * @param {object} ctx {page, client, actions, present, showMessage, texts, refreshText(rate), beforeFrame(),
 *   recorded: () => string[] (the views being recorded, drawn on or off screen)}
 */
export function createDrawing(ctx) {
  // CSS sizes of the canvases, kept by a ResizeObserver so that drawing never forces a layout.
  const cssSize = new Map();
  /** While playing, the views waiting to be drawn (oldest first) and what each took to draw, in ms. */
  const pendingViews = new Set();
  const viewCost = new Map();
  const rate = { from: 0, at: performance.now(), value: 0 };
  let dirty = true;
  let drawMs = 4;
  let lastSlowViews = 0;
  let revision = -1;
  let lastReadout = 0;
  let wordsLastFrame = false;
  let snapshotInFlight = false;
  let lastFrame = performance.now();
  let inputProjection = 'pca';
  /** Whether the lesson asks for the angle chart alone. */
  let chartsAlone = false;
  /** The views on screen (the others are drawn while training only when scrolled to, and in full when paused). */
  const onScreen = new Set(VIEWS);

  function fitCanvas(canvas, fast = false) {
    const dpr = Math.min(window.devicePixelRatio || 1, fast ? PLAYING_MAX_DPR : Infinity);
    let box = cssSize.get(canvas);
    if (!box) {
      // Until the ResizeObserver reports: the content box (inside the border), which may be fractional.
      const style = getComputedStyle(canvas);
      const rect = canvas.getBoundingClientRect();
      const bx = parseFloat(style.borderLeftWidth) + parseFloat(style.borderRightWidth);
      const by = parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth);
      box = { width: rect.width - bx, height: rect.height - by };
      cssSize.set(canvas, box);
    }
    // The drawing buffer is the content box in device pixels, so that one buffer pixel is one screen pixel
    // whatever the zoom or the box's fractional size (while training, above PLAYING_MAX_DPR, a few screen pixels).
    const w = Math.max(1, Math.round(box.width * dpr));
    const h = Math.max(1, Math.round(box.height * dpr));
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    return dpr * (ctx.present ? 1.45 : 1);
  }

  function isDark() {
    const forced = document.documentElement.dataset.theme;
    return forced ? forced === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
  }

  function drawView(id, dark, showTest, fast) {
    const c = $(id);
    const t = performance.now();
    const page = ctx.page;
    if (id === 'input-view') page.drawInput(c, fitCanvas(c, fast), dark, showTest, inputProjection, fast);
    else if (id === 'feature-view') page.drawFeatures(c, fitCanvas(c, fast), dark, showTest, $('projection').value, fast);
    else if (id === 'charts-view') {
      const scale = fitCanvas(c);
      const alone = chartsAlone || cssSize.get(c).width < NARROW_CHARTS_PX;
      page.drawCharts(c, scale, dark, alone);
      const panels = alone ? 'angle' : 'all';
      if (c.dataset.panels !== panels) {
        c.dataset.panels = panels;
        c.setAttribute('aria-label', alone ? ctx.texts.angleChartAlone : ctx.texts.chartsAll);
      }
    }
    else if (id === 'theory-view' || id === 'experiment-view') {
      // Narrow (a phone): the panels one under another, each as wide as the view and three quarters as tall;
      // a narrow embed keeps the shape its frame gives it and shows the first experiment chart alone.
      const scale = fitCanvas(c);
      const width = cssSize.get(c).width;
      const embed = document.body.classList.contains('embed');
      const oneColumn = width < NARROW_CHARTS_PX && !embed;
      const panels = id === 'theory-view'
        ? page.drawTheory(c, scale, dark, oneColumn)
        : page.drawExperiment(c, scale, dark, oneColumn, embed && width < NARROW_EMBED_PX);
      if (c.dataset.panels !== String(panels)) c.dataset.panels = String(panels);
      const ratio = oneColumn && panels > 0 ? `4 / ${3 * panels}` : '';
      // A new shape is drawn again once the resize is observed.
      if (c.style.aspectRatio !== ratio) c.style.aspectRatio = ratio;
    }
    else page.drawGallery(c, fitCanvas(c), dark);
    const took = performance.now() - t;
    viewCost.set(id, 0.7 * (viewCost.get(id) ?? took) + 0.3 * took);
    return took;
  }

  /** Queues the views a change calls for (the charts and gallery, which change slowly, at most four times a
   * second while training). */
  function queueViews(fast, t0) {
    const wanted = ['input-view', 'feature-view'];
    if (!fast || t0 - lastSlowViews >= 250) {
      lastSlowViews = t0;
      wanted.push('charts-view', 'theory-view');
      const info = JSON.parse(ctx.page.info());
      if (info.has_experiment) wanted.push('experiment-view');
      if (info.has_gallery) wanted.push('gallery-view');
    }
    for (const id of wanted) {
      // Re-inserted at the end: a view drawn last frame waits behind one that was not. While training, a view
      // scrolled out of sight waits until it is back, unless it is being recorded.
      const seen = !fast || onScreen.has(id) || ctx.recorded().includes(id);
      if (shown(id) && seen && !pendingViews.has(id)) pendingViews.add(id);
    }
  }

  /** Draws the queued views (`fast`: coarser heatmaps, while training): all of them, or with `budget` as many
   * as fit the frame's budget (at least one; the rest wait for the next frame). */
  function drawQueued(fast, budget) {
    const dark = isDark();
    const showTest = $('show-test').checked;
    try {
      let spent = 0;
      for (const id of [...pendingViews]) {
        if (budget && spent > 0 && spent + (viewCost.get(id) ?? 0) > FRAME_DRAW_BUDGET_MS) break;
        pendingViews.delete(id);
        if (shown(id)) spent += drawView(id, dark, showTest, fast);
      }
    } catch (e) {
      pendingViews.clear();
      ctx.showMessage(`${ctx.texts.drawingFailed}${e?.message ?? e}`);
    }
  }

  /** Numbers that change sixty times a second cannot be read, and each DOM write costs a page layout: while
   * training the words refresh about eight times a second. */
  function refreshWords(now, fast) {
    if (!fast || now - lastReadout > WORDS_EVERY_MS) {
      lastReadout = now;
      ctx.refreshText(rate.value);
    }
  }

  /** Redraws every view and the words now; returns the milliseconds it took. While training (`fast`) the
   * heatmaps are coarser. */
  function drawAll(fast = false) {
    const t0 = performance.now();
    queueViews(fast, t0);
    drawQueued(fast, false);
    refreshWords(t0, fast);
    return performance.now() - t0;
  }

  function frame(now) {
    const gap = now - lastFrame;
    lastFrame = now;
    if (ctx.client.mode === 'main') {
      // Share each frame between drawing and training: what is left of ~13 ms after drawing.
      ctx.client.pump(Math.max(1, Math.min(10, 13 - drawMs - Math.max(0, gap - 17))));
    }
    if (!snapshotInFlight) {
      snapshotInFlight = true;
      ctx.actions.refresh().catch(() => {}).finally(() => { snapshotInFlight = false; });
    }
    if (now - rate.at >= 1000) {
      const step = ctx.page.step();
      rate.value = Math.max(0, (step - rate.from) * 1000 / (now - rate.at));
      rate.from = step;
      rate.at = now;
    }
    ctx.beforeFrame();
    const fast = ctx.page.playing();
    const t0 = performance.now();
    const changed = dirty;
    if (dirty) {
      // Something changed: its views are queued once (a view that does not fit this frame's budget is drawn
      // in a later one, not queued again).
      dirty = false;
      queueViews(fast, t0);
    }
    // While training, the words and the views take turns: a frame that refreshes the words (a layout and a
    // paint of the page) draws no view, and the next one draws the views whatever is due, so that no frame pays
    // for both (under a slow CPU, together they made the page's longest tasks) and neither waits long.
    const wordsTurn = fast && !wordsLastFrame && t0 - lastReadout > WORDS_EVERY_MS;
    // Nothing queued (no new measurement since the last picture): only the words move on. Paused too, the
    // views share the frames by their budget (a heavy run's views, all drawn in one frame, made one long task).
    if (pendingViews.size && !wordsTurn) drawQueued(fast, true);
    if (wordsTurn) refreshWords(t0, false);
    else if (!fast) refreshWords(t0, !changed);
    wordsLastFrame = wordsTurn;
    drawMs = 0.8 * drawMs + 0.2 * (performance.now() - t0);
    requestAnimationFrame(frame);
  }

  return {
    drawAll,
    /** Something changed: redraw at the next frame. */
    markDirty() { dirty = true; },
    /** A snapshot arrived: the views are redrawn only when it changed what they draw (the step counter and the
     * words follow every snapshot). */
    snapshotApplied() {
      const now = ctx.page.revision();
      if (now !== revision) {
        revision = now;
        dirty = true;
      }
    },
    /** A new run began: the rate restarts from its step. */
    newRun() { rate.from = ctx.page.step(); },
    /** Shows the angle chart alone, large (a lesson step about it), or the charts as the width allows. */
    setChartsAlone(on) {
      chartsAlone = on;
      $('charts-figure').classList.toggle('single', on);
      dirty = true;
    },
    /** The input view's projection for inputs wider than 2 ("pca" or "features:I,J"). */
    setInputProjection(p) { inputProjection = p; dirty = true; },
    /** How the views are seen now: the projections and whether test points show (for figures). */
    seen: () => ({ input: inputProjection, feature: $('projection').value, test: $('show-test').checked }),
    /** Draws the first picture — the input view and the words now, the other views in the next frame — and
     * starts the loop. */
    start() {
      const t0 = performance.now();
      queueViews(false, t0);
      drawQueued(false, true); // the input view first, then the others while they fit the frame's budget
      refreshWords(t0, false);
      drawMs = performance.now() - t0;
      dirty = false;
      requestAnimationFrame(frame);
    },
    /** Keeps the canvases' CSS sizes (so that drawing never forces a layout). */
    observe() {
      const observer = new ResizeObserver((entries) => {
        for (const e of entries) {
          const box = e.contentBoxSize?.[0] ?? { inlineSize: e.contentRect.width, blockSize: e.contentRect.height };
          cssSize.set(e.target, { width: box.inlineSize, height: box.blockSize });
        }
        dirty = true;
      });
      for (const id of VIEWS) observer.observe($(id), { box: 'content-box' });
      const sight = new IntersectionObserver((entries) => {
        for (const e of entries) {
          if (e.isIntersecting) onScreen.add(e.target.id);
          else onScreen.delete(e.target.id);
        }
        dirty = true;
      });
      for (const id of VIEWS) sight.observe($(id));
    },
  };
}
