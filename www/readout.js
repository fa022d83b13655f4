// What the page says in words: the readout tiles, the banners above the views and the message box. Every
// text comes from Rust (the page handle's readout and banners); this module only places it.
import { $ } from './dom.js';

/** Shows `text` in the message box for seven seconds (`kind`: 'error', 'warn' or 'info'). */
export function showMessage(text, kind = 'error') {
  const box = $('message');
  box.textContent = text;
  box.className = `message ${kind}`;
  box.hidden = false;
  clearTimeout(showMessage.timer);
  showMessage.timer = setTimeout(() => { box.hidden = true; }, 7000);
}

function setText(el, text) {
  if (el && el.textContent !== text) el.textContent = text;
}

/**
 * @param {object} ctx {page, actions, texts, onBannersChanged}
 */
export function createReadout(ctx) {
  let bannerKey = '';
  let builtKeys = '';

  /** Builds the readout's tiles (again only when the set of numbers changes: adversarial examples on or off). */
  function build(items = JSON.parse(ctx.page.readout())) {
    const box = $('readout');
    box.replaceChildren();
    builtKeys = items.map((i) => i.key).join();
    for (const item of items) {
      const el = document.createElement('div');
      el.className = 'metric';
      el.tabIndex = 0;
      el.dataset.key = item.key;
      const id = `tip-${item.key}`;
      el.setAttribute('aria-describedby', id);
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = item.name;
      const value = document.createElement('span');
      value.className = 'value';
      value.textContent = item.value;
      const tip = document.createElement('span');
      tip.className = 'tip';
      tip.setAttribute('role', 'tooltip');
      tip.id = id;
      tip.textContent = item.help;
      el.append(name, value, tip);
      box.append(el);
    }
  }

  /** Refreshes the numbers, the step counter, the rate and the banners. */
  function update(rate) {
    const items = JSON.parse(ctx.page.readout());
    if (items.map((i) => i.key).join() !== builtKeys) build(items);
    for (const item of items) setText(document.querySelector(`.metric[data-key="${item.key}"] .value`), item.value);
    setText($('step-count'), `step ${ctx.page.step().toLocaleString('en')}`);
    setText($('rate'), `${Math.round(rate).toLocaleString('en')} steps/s`);
    const angle = items.find((r) => r.key === 'angle_wb_deg');
    setText($('compact-angle'), angle ? `${angle.name} ${angle.value}` : '');
    setText($('compact-step'), $('step-count').textContent);
    const theory = JSON.parse(ctx.page.theory());
    setText($('theory-notes'), `${theory.soudry} ${theory.lyu_li} ${theory.collapse}`);
    updateBanners();
  }

  function updateBanners() {
    const text = ctx.page.banners();
    if (text === bannerKey) return;
    bannerKey = text;
    const banners = JSON.parse(text);
    const list = banners.map((b) => {
      const p = document.createElement('p');
      p.className = `banner ${b.kind}`;
      p.textContent = b.text;
      if (b.action) {
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = b.action.label;
        button.addEventListener('click', () => ctx.actions.send(b.action.request));
        p.append(' ', button);
      }
      return p;
    });
    // An embed shows one line, a chip, that opens the banners over the views: a frame of 400 pixels has no
    // room for paragraphs above its plot (the page shows them in full; the chip is hidden there).
    const open = $('banners').classList.contains('open');
    const chip = document.createElement('button');
    chip.type = 'button';
    chip.className = `banner-chip ${banners.some((b) => b.kind === 'error') ? 'error' : banners.some((b) => b.kind === 'warn') ? 'warn' : 'info'}`;
    chip.setAttribute('aria-expanded', String(open));
    chip.setAttribute('aria-controls', 'banner-list');
    const line = document.createElement('span');
    line.textContent = `${banners.length > 1 ? ctx.texts.notes.replace('{n}', String(banners.length)) : ''}${banners[0]?.text ?? ''}`;
    chip.append(line);
    chip.addEventListener('click', () => {
      const now = $('banners').classList.toggle('open');
      chip.setAttribute('aria-expanded', String(now));
    });
    const box = document.createElement('div');
    box.id = 'banner-list';
    box.className = 'banner-list';
    box.append(...list);
    if (banners.length) $('banners').replaceChildren(chip, box);
    else {
      $('banners').replaceChildren();
      $('banners').classList.remove('open');
    }
    ctx.onBannersChanged();
  }

  return { build, update, updateBanners };
}
