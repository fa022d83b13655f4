// Embed mode: the lab in another page's iframe, fitted to its frame without scrolling — as many square views
// side by side as stay large, the others a tap away, the panels hidden.
import { $ } from './dom.js';

/**
 * @param {object} ctx {plan (the link's start plan: views, hide), drawing}
 */
export function createEmbed(ctx) {
  let current = null;
  let key = '';

  /** Chooses the views the frame has room for and sizes them to fit. */
  function layout() {
    // A view that exists only for some runs (the experiment chart) is offered when the run has it.
    const wanted = ctx.plan.views.filter((v) => $(`${v}-figure`).dataset.available !== 'false');
    // The room below the strip and the banners, minus the page's own padding below the views.
    const top = Math.max($('embed-strip').getBoundingClientRect().bottom, $('banners').getBoundingClientRect().bottom);
    const W = document.documentElement.clientWidth - 12;
    const H = window.innerHeight - top - 16;
    // As many square views side by side as fit while each stays large (at least 300 px — a chart of several
    // panels is unreadable below — and 60% of the room's shorter side); the others are a tap away.
    const sideFor = (n) => Math.floor(Math.min(H, (W - (n - 1) * 8) / n));
    let fits = 1;
    for (let n = wanted.length; n > 1; n--) {
      if (sideFor(n) >= Math.max(300, 0.6 * Math.min(H, W))) { fits = n; break; }
    }
    const chosen = current && wanted.includes(current)
      ? [current, ...wanted.filter((v) => v !== current)].slice(0, fits)
      : wanted.slice(0, fits);
    const side = Math.max(120, sideFor(chosen.length));
    for (const fig of document.querySelectorAll('#views > figure.view')) {
      const on = chosen.includes(fig.id.replace(/-figure$/, ''));
      fig.hidden = !on;
      if (on) {
        const canvas = fig.querySelector('canvas');
        canvas.style.width = `${side}px`;
        canvas.style.height = `${side}px`;
      }
    }
    for (const b of document.querySelectorAll('#embed-views button')) {
      b.hidden = !wanted.includes(b.dataset.view) || wanted.length <= fits;
      b.setAttribute('aria-pressed', String(chosen.includes(b.dataset.view)));
    }
    ctx.drawing.markDirty();
  }

  return {
    /** Turns embed mode on: hides the panels the link hides and lays the views out. */
    wire() {
      document.body.classList.add('embed');
      for (const part of ctx.plan.hide) {
        const panel = $(`${part}-panel`);
        if (panel) panel.hidden = true;
      }
      for (const b of document.querySelectorAll('#embed-views button')) {
        b.addEventListener('click', () => { current = b.dataset.view; layout(); });
      }
      window.addEventListener('resize', layout);
      layout();
    },
    layout,
    /** Each frame: the strip above the views can change height (banners come and go): keep the views fitting. */
    check() {
      const now = `${innerWidth}x${innerHeight}:${$('embed-strip').offsetHeight}:${$('banners').offsetHeight}`;
      if (now !== key) {
        key = now;
        layout();
      }
    },
  };
}
