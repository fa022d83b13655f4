// Your own points: a tap (or click) on the input view adds a point of the chosen class, a right-click, an
// Alt-click or the eraser removes the nearest. The class is chosen in the Data panel or, where that panel is
// out of sight (a phone), on the input view's own corner; both pickers are one choice. The first tap on a
// preset's data says what it does: the points become the user's own and the run starts again. Files dropped on
// the page are checked (a network's .npz, .npy, safetensors) or imported (a CSV).
import { $ } from './dom.js';

/**
 * @param {object} ctx {page, actions, texts, showMessage, embed (whether the page is an embed)}
 */
export function createEditing(ctx) {
  let drawClass = 0;
  const pickers = () => [$('class-pick'), $('canvas-pick')];

  function choose(c) {
    drawClass = c;
    for (const box of pickers()) {
      for (const o of box.children) o.setAttribute('aria-checked', String(Number(o.dataset.class) === c));
    }
  }

  /** Rebuilds the pickers when the number of classes changes; shows the canvas's one where points can be added
   * (`info`: the page handle's `info()`). */
  function sync(info) {
    $('canvas-pick').hidden = ctx.embed || (info.input_width !== 2 && info.input_width !== 0);
    syncClasses(info.edit_classes);
  }

  /** Offers `k` classes (rebuilding the pickers only when that number changes). */
  function syncClasses(k) {
    if ($('class-pick').childElementCount === k) return;
    drawClass = Math.min(drawClass, k - 1);
    for (const box of pickers()) {
      box.replaceChildren();
      for (let c = 0; c < k; c++) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = `swatch class-${c}`;
        b.dataset.class = String(c);
        b.setAttribute('role', 'radio');
        b.setAttribute('aria-checked', String(c === drawClass));
        b.setAttribute('aria-label', `class ${c}`);
        b.textContent = String(c);
        b.addEventListener('click', () => choose(c));
        box.append(b);
      }
    }
  }

  /** A press on the input view: the page handle says what it asks for (add or remove a point, or why not). */
  function editAt(event) {
    const canvas = $('input-view');
    const rect = canvas.getBoundingClientRect();
    const scale = canvas.width / rect.width;
    const erase = $('eraser').checked || event.button === 2 || event.altKey;
    let request;
    try {
      request = ctx.page.pointRequest((event.clientX - rect.left) * scale, (event.clientY - rect.top) * scale, erase, drawClass, scale);
    } catch (e) {
      ctx.showMessage(e?.message ?? String(e), 'info');
      return;
    }
    if (!request) return;
    // A preset's (or a generator's) points become the user's own with this point, and the run restarts.
    if (JSON.parse(ctx.page.config()).data.set !== 'custom') ctx.showMessage(ctx.texts.ownPoints, 'info');
    ctx.actions.send(JSON.parse(request));
  }

  function wire() {
    const input = $('input-view');
    input.addEventListener('pointerdown', (e) => { if (e.isPrimary || e.button === 2) { e.preventDefault(); editAt(e); } });
    input.addEventListener('contextmenu', (e) => e.preventDefault());
    $('clear-points').addEventListener('click', ctx.actions.clearPoints);
    $('import-csv').addEventListener('change', async (e) => {
      const file = e.target.files[0];
      e.target.value = '';
      if (file) await ctx.actions.importCsv(file.name, await file.text());
    });
    $('check-file').addEventListener('change', async (e) => {
      const files = [...e.target.files];
      e.target.value = '';
      if (files.length) await ctx.actions.checkFiles(files);
    });
    // Files dropped anywhere on the page: a network's files are checked, a CSV is imported.
    const network = (f) => /\.(npz|npy|safetensors)$/i.test(f.name);
    document.addEventListener('dragover', (e) => {
      if ([...(e.dataTransfer?.types ?? [])].includes('Files')) e.preventDefault();
    });
    document.addEventListener('drop', async (e) => {
      const files = [...(e.dataTransfer?.files ?? [])];
      if (!files.length) return;
      e.preventDefault();
      if (files.every(network)) await ctx.actions.checkFiles(files);
      else if (files.length === 1 && /\.csv$/i.test(files[0].name)) await ctx.actions.importCsv(files[0].name, await files[0].text());
      else ctx.showMessage(ctx.texts.dropWhat);
    });
  }

  return { wire, sync, syncClasses };
}
