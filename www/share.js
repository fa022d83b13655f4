// Sharing and exporting: the link that reproduces the run (written by Rust: the nearest preset and what
// differs), kept in the address bar; the share dialog with the link and an iframe snippet; downloads of the
// views as PNG, the data as CSV and the run as JSON.
import { $, download } from './dom.js';

/**
 * @param {object} ctx {page, actions, texts, showMessage, keep: string[] (URL parameters kept as they are),
 *   lessonStep: () => number | null, seen: () => {input, feature, test} (how the views are seen now)}
 */
export function createSharing(ctx) {
  const params = new URLSearchParams(location.search);

  function shareUrl() {
    const url = new URL(location.href);
    url.search = '';
    url.hash = '';
    for (const [name, value] of JSON.parse(ctx.page.shareQuery())) url.searchParams.set(name, value);
    return url.toString();
  }

  const embedSnippet = () => `<iframe src="${shareUrl()}&embed" title="Last Layer Lab" width="100%" height="480" style="border:0" sandbox="allow-scripts allow-same-origin allow-popups" loading="lazy"></iframe>`;

  /** Puts the run's link in the address bar (a little after the last change). */
  function scheduleUrlUpdate() {
    clearTimeout(scheduleUrlUpdate.timer);
    scheduleUrlUpdate.timer = setTimeout(() => {
      const url = new URL(shareUrl());
      for (const key of ctx.keep) if (params.has(key)) url.searchParams.set(key, params.get(key) ?? '');
      const lesson = ctx.lessonStep();
      if (lesson !== null) url.searchParams.set('lesson', String(lesson));
      try {
        history.replaceState(null, '', url);
      } catch {
        // A sandboxed or opaque-origin frame may refuse; the state is still in the share dialog.
      }
    }, 400);
  }

  async function copy(text, field) {
    try {
      await navigator.clipboard.writeText(text);
      ctx.showMessage(ctx.texts.copied, 'info');
    } catch {
      field.select();
      ctx.showMessage(ctx.texts.copyByHand, 'info');
    }
  }

  function wire() {
    $('share').addEventListener('click', () => {
      $('share-link').value = shareUrl();
      $('embed-code').value = embedSnippet();
      $('share-note').hidden = JSON.parse(ctx.page.config()).data.set !== 'table';
      $('share-dialog').showModal();
    });
    $('copy-link').addEventListener('click', () => copy($('share-link').value, $('share-link')));
    $('copy-embed').addEventListener('click', () => copy($('embed-code').value, $('embed-code')));
    $('open-full').addEventListener('click', (e) => {
      e.preventDefault();
      // Opens the same run as the full lab; where popups are not allowed, nothing happens.
      try { window.open(shareUrl(), '_blank', 'noopener'); } catch { /* popups blocked */ }
    });
    for (const b of document.querySelectorAll('button.png')) {
      const figure = b.dataset.canvas.replace('-view', '');
      b.addEventListener('click', () => $(b.dataset.canvas).toBlob((blob) => download(ctx.page.fileName(figure, 'png'), blob)));
    }
    for (const b of document.querySelectorAll('button.svg')) {
      b.addEventListener('click', () => {
        const seen = ctx.seen();
        const made = JSON.parse(ctx.page.figure(b.dataset.figure, seen.input, seen.feature, seen.test));
        if (made) download(made.file, new Blob([made.svg], { type: 'image/svg+xml' }));
        else ctx.showMessage(ctx.texts.nothingYet, 'info');
      });
    }
    $('export-run').addEventListener('click', async () => {
      const text = await ctx.actions.exportRun().catch((e) => { ctx.showMessage(e?.message ?? String(e)); return null; });
      if (text !== null) download('lastlayer-run.json', new Blob([text], { type: 'application/json' }));
    });
    $('export-csv').addEventListener('click', async () => {
      const text = await ctx.actions.exportCsv().catch((e) => { ctx.showMessage(e?.message ?? String(e)); return null; });
      if (text !== null) download('lastlayer-data.csv', new Blob([text], { type: 'text/csv' }));
    });
  }

  return { wire, scheduleUrlUpdate };
}
