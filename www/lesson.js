// The lesson: a guided walk through the paper for a class, each step (Rust's `lesson::steps`) setting the lab
// up and pointing at the view it discusses; `?lesson=N` links a step.
import { $ } from './dom.js';

/**
 * @param {object} ctx {options, texts, actions, onChange, setSpeed (steps per frame, null: full speed),
 *   setChartsAlone (whether the charts view shows the angle chart alone)}
 */
export function createLesson(ctx) {
  let index = null;
  const steps = ctx.options.lesson;

  async function show(i) {
    if (i < 0 || i >= steps.length) return;
    index = i;
    const s = steps[i];
    $('lesson').hidden = false;
    delete $('lesson').dataset.shown;
    $('lesson-count').textContent = ctx.texts.lessonCount.replace('{n}', String(i + 1)).replace('{total}', String(steps.length));
    $('lesson-title').textContent = s.title;
    $('lesson-text').textContent = s.text;
    $('lesson-back').disabled = i === 0;
    $('lesson-next').textContent = i === steps.length - 1 ? ctx.texts.finish : ctx.texts.next;
    document.body.classList.add('lesson-open');
    for (const f of document.querySelectorAll('.focus')) f.classList.remove('focus');
    await ctx.actions.setPlaying(false);
    if (s.preset) await ctx.actions.loadPreset(s.preset);
    if (s.config) await ctx.actions.set(JSON.parse(s.config));
    if (s.advance) await ctx.actions.step(s.advance);
    const target = { input: 'input-view', feature: 'feature-view', charts: 'charts-view', experiment: 'experiment-view', readout: 'readout', banners: 'banners' }[s.focus];
    // A step about the angle shows the angle chart alone, large, its value written on it.
    ctx.setChartsAlone(s.focus === 'charts');
    const el = $(target);
    const shown = el.closest('figure') ?? el;
    shown.classList.add('focus');
    // Its top just below the run strip (a phone's), where neither the strip nor the card covers it — once the
    // page shows the step's run: its first measurement, then its banners and readout, drawn at the next frame
    // (they move what lies below them; and banners not there yet cannot be scrolled to).
    await ctx.actions.settle().catch(() => {});
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    shown.scrollIntoView({ block: 'start', behavior: 'smooth' });
    ctx.setSpeed(s.speed);
    if (s.play) await ctx.actions.setPlaying(true);
    ctx.onChange();
    // Without scrolling the card: a long step keeps its title in sight (its buttons stay at the card's foot).
    $('lesson-next').focus({ preventScroll: true });
    // Set up: tests and presenters can tell the step is in place.
    $('lesson').dataset.shown = String(i + 1);
  }

  function close() {
    $('lesson').hidden = true;
    document.body.classList.remove('lesson-open');
    ctx.setChartsAlone(false);
    index = null;
    for (const f of document.querySelectorAll('.focus')) f.classList.remove('focus');
    ctx.onChange();
    $('lesson-open').focus();
  }

  function wire() {
    $('lesson-open').addEventListener('click', () => show(index ?? 0));
    $('lesson-back').addEventListener('click', () => show(index - 1));
    $('lesson-next').addEventListener('click', () => (index === steps.length - 1 ? close() : show(index + 1)));
    $('lesson-close').addEventListener('click', close);
    // On a phone the card is a strip at the bottom: its text opens on demand.
    $('lesson-more').addEventListener('click', () => {
      const open = $('lesson').classList.toggle('expanded');
      $('lesson-more').setAttribute('aria-expanded', String(open));
      $('lesson-more').textContent = open ? ctx.texts.lessonLess : ctx.texts.lessonMore;
    });
  }

  return {
    wire,
    show,
    /** Closes the lesson if it is open; returns whether it was. */
    escape() {
      if ($('lesson').hidden) return false;
      close();
      return true;
    },
    /** The step shown (1-based), or null. */
    step: () => (index === null ? null : index + 1),
  };
}
