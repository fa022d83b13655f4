// Recording: Record / Stop captures the input and feature views, side by side, while the run plays, and saves a
// video (the browser's MediaRecorder on a canvas stream; no library): WebM where the browser records it
// (Chromium, Firefox), else MP4 (Safari). Where MediaRecorder is missing, the button says why it cannot record.
import { $, download } from './dom.js';

/** Frames per second of the recording. */
const FPS = 30;
/** The views recorded, side by side. */
const VIEWS = ['input-view', 'feature-view'];

/**
 * @param {object} ctx {page, texts, showMessage}
 */
export function createRecorder(ctx) {
  let recorder = null;
  let chunks = [];
  let canvas = null;
  let from = 0;

  /** The first video format this browser records, or undefined. */
  const format = () => ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm', 'video/mp4']
    .find((t) => MediaRecorder.isTypeSupported(t));
  const supported = () => typeof MediaRecorder !== 'undefined' && typeof HTMLCanvasElement.prototype.captureStream === 'function'
    && format() !== undefined;

  /** The two views drawn side by side into the recording's canvas. */
  function compose() {
    const views = VIEWS.map($).filter((c) => c.width > 0 && c.offsetParent !== null);
    const h = Math.max(...views.map((c) => c.height));
    const w = views.reduce((s, c) => s + Math.round((c.width * h) / c.height), 0);
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    const g = canvas.getContext('2d');
    let x = 0;
    for (const c of views) {
      const cw = Math.round((c.width * h) / c.height);
      g.drawImage(c, x, 0, cw, h);
      x += cw;
    }
  }

  function start() {
    canvas = document.createElement('canvas');
    compose();
    const type = format();
    recorder = new MediaRecorder(canvas.captureStream(FPS), { mimeType: type });
    chunks = [];
    from = ctx.page.step();
    recorder.ondataavailable = (e) => { if (e.data.size > 0) chunks.push(e.data); };
    recorder.onstop = () => {
      const blob = new Blob(chunks, { type: type.split(';')[0] });
      // An engine may accept the format and still write nothing (WebKitGTK without a working encoder): say so
      // rather than save an empty file.
      if (blob.size === 0) {
        ctx.showMessage(ctx.texts.emptyRecording);
        return;
      }
      const name = ctx.page.fileName(`recording-from${from}`, type.startsWith('video/mp4') ? 'mp4' : 'webm');
      download(name, blob);
      ctx.showMessage(`${ctx.texts.recordingSaved}${name}`, 'info');
    };
    recorder.start(500);
    sync();
  }

  function stop() {
    recorder?.stop();
    recorder = null;
    sync();
  }

  function sync() {
    const b = $('record');
    b.textContent = recorder ? ctx.texts.stopRecording : ctx.texts.record;
    b.setAttribute('aria-pressed', String(Boolean(recorder)));
  }

  return {
    wire() {
      const b = $('record');
      if (!supported()) {
        b.disabled = true;
        b.title = ctx.texts.noRecorder;
        b.setAttribute('aria-label', ctx.texts.noRecorder);
        return;
      }
      b.title = ctx.texts.recordAs.replace('{format}', format().startsWith('video/mp4') ? 'MP4' : 'WebM');
      b.addEventListener('click', () => (recorder ? stop() : start()));
    },
    /** The ids of the views being recorded (none when not recording). */
    views: () => (recorder ? VIEWS : []),
    /** Each animation frame: the views into the recording's canvas. */
    frame() {
      if (recorder) compose();
    },
  };
}
