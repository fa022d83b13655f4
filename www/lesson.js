// The lesson: a guided walk through the paper for a class, each step (Rust's `lesson::steps`) setting the lab
// up and pointing at the view it discusses; `?lesson=N` links a step.
import { $ } from './dom.js';

/**
 * @param {object} ctx {options, texts, actions, onChange, setSpeed (steps per frame, null: full speed)}
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
    for (const f of document.querySelectorAll('.focus')) f.classList.remove('focus');
    await ctx.actions.setPlaying(false);
    if (s.preset) await ctx.actions.loadPreset(s.preset);
    if (s.config) await ctx.actions.set(JSON.parse(s.config));
    if (s.advance) await ctx.actions.step(s.advance);
    const target = { input: 'input-view', feature: 'feature-view', charts: 'charts-view', experiment: 'experiment-view', readout: 'readout' }[s.focus];
    const el = $(target);
    (el.closest('figure') ?? el).classList.add('focus');
    el.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    ctx.setSpeed(s.speed);
    if (s.play) await ctx.actions.setPlaying(true);
    ctx.onChange();
    $('lesson-next').focus();
    // Set up: tests and presenters can tell the step is in place.
    $('lesson').dataset.shown = String(i + 1);
  }

  function close() {
    $('lesson').hidden = true;
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
