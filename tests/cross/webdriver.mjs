// Shared set-up for the cross-browser tests: Debian's Firefox ESR (through geckodriver, which scripts/setup
// builds from crates.io) and WebKitGTK, Safari's engine (through Debian's WebKitWebDriver and its MiniBrowser,
// on a virtual X display of our own), both driven by one WebDriver client: selenium-webdriver, pinned in
// package.json. Serves target/site (or target/site-bench), a host page origin for frames, and counts the
// requests the server sees (a second download of the wasm shows in every browser the same way).
import { Builder, Browser } from 'selenium-webdriver';
import firefox from 'selenium-webdriver/firefox.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, homedir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../scripts/static-server.mjs';
import { within } from '../browser/harness.mjs';

/** The browsers of this suite; `LASTLAYER_BROWSERS=firefox` (or webkit) runs one alone. */
export const BROWSERS = (process.env.LASTLAYER_BROWSERS ?? 'firefox,webkit').split(',').map((b) => b.trim()).filter(Boolean);

/** Every wait on the browser has a deadline: a script that does not answer in this time fails the test. */
const SCRIPT_MS = 90_000;

const MINIBROWSER = ['/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser', '/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser']
  .find(existsSync);

/** The first of `names` on the PATH (or in cargo's bin folder), or null. */
function tool(...names) {
  for (const name of names) {
    for (const dir of [...(process.env.PATH ?? '').split(':'), join(homedir(), '.cargo/bin')]) {
      if (dir && existsSync(join(dir, name))) return join(dir, name);
    }
  }
  return null;
}

/** A free TCP port on the loopback. */
function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
  });
}

/** Starts a virtual X display (WebKitGTK has no headless mode); returns its name and how to stop it. */
async function startXvfb() {
  const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1920x1200x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const display = await within(15000, new Promise((ok, fail) => {
    let text = '';
    child.stdio[3].on('data', (d) => { text += d; if (text.includes('\n')) ok(`:${text.trim()}`); });
    child.on('exit', (code) => fail(new Error(`Xvfb exited with code ${code}: ${err.slice(-400)}`)));
  }), 'Xvfb').catch((e) => { child.kill(); throw e; });
  return { display, stop: () => child.kill() };
}

/** Starts `name` ('firefox' or 'webkit'); returns the WebDriver session and how to end it. */
async function startBrowser(name) {
  if (name === 'firefox') {
    const gecko = tool('geckodriver');
    if (!gecko) throw new Error('geckodriver is missing: run scripts/setup (it builds geckodriver from crates.io)');
    const options = new firefox.Options()
      .setBinary(tool('firefox-esr', 'firefox') ?? 'firefox-esr')
      .addArguments('-headless')
      .windowSize({ width: 1400, height: 1000 })
      // No telemetry, updates or safe-browsing lists: the machines have no internet (geckodriver sets most).
      .setPreference('browser.safebrowsing.update.enabled', false)
      .setPreference('app.update.enabled', false);
    const driver = await new Builder().forBrowser(Browser.FIREFOX).setFirefoxOptions(options)
      .setFirefoxService(new firefox.ServiceBuilder(gecko)).build();
    return { driver, stop: () => driver.quit() };
  }
  if (name === 'webkit') {
    const wd = tool('WebKitWebDriver');
    if (!wd || !MINIBROWSER) throw new Error('WebKitWebDriver or MiniBrowser is missing: run scripts/setup (Debian\'s webkit2gtk-driver)');
    const x = await startXvfb();
    const port = await freePort();
    const child = spawn(wd, [`--port=${port}`, '--host=127.0.0.1'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DISPLAY: x.display } });
    let err = '';
    child.stderr.on('data', (d) => { err = (err + d).slice(-2000); });
    const capabilities = { browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } };
    let driver;
    for (let tries = 0; !driver; tries++) {
      try {
        driver = await new Builder().usingServer(`http://127.0.0.1:${port}`).withCapabilities(capabilities).build();
      } catch (e) {
        // The driver process may not listen yet: it gets two seconds.
        if (tries >= 20 || child.exitCode !== null) {
          child.kill();
          x.stop();
          throw new Error(`WebKitWebDriver did not start a session: ${e.message}\n${err}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await driver.manage().window().setRect({ width: 1400, height: 1000 });
    return { driver, stop: async () => { await driver.quit().catch(() => {}); child.kill(); x.stop(); } };
  }
  throw new Error(`unknown browser '${name}'`);
}

/** Serves the built page (`site`: 'site' or 'site-bench') and a host origin, and starts browser `name`. */
export async function launch(name, site = 'site') {
  const requests = [];
  const { server, url } = await startServer(new URL(`../../target/${site}`, import.meta.url).pathname, 0, '127.0.0.1', { log: requests });
  const hostDir = mkdtempSync(join(tmpdir(), 'lastlayer-xhost-'));
  const host = await startServer(hostDir, 0, '127.0.0.1', { csp: false });
  let started;
  try {
    started = await startBrowser(name);
  } catch (e) {
    // Nothing left listening: the test file fails at once instead of hanging on open servers.
    server.close();
    host.server.close();
    throw e;
  }
  const { driver, stop } = started;
  await driver.manage().setTimeouts({ script: SCRIPT_MS, pageLoad: 60_000 });
  const env = {
    name, url, driver, requests,
    /** Serves `html` as `file` from the host origin; returns its URL. */
    hostPage(file, html) {
      writeFileSync(join(hostDir, file), html);
      return host.url + file;
    },
    /** Runs `fn(...args)` (its source, with JSON arguments) in the current document, awaiting its promise;
     * resolves to its JSON-able value, or fails with the page's error. */
    async run(fn, ...args) {
      const script = `const done = arguments[arguments.length - 1];
        Promise.resolve().then(() => (${fn})(...arguments[0]))
          .then((value) => done({ ok: true, value: value === undefined ? null : value }),
                (e) => done({ ok: false, error: String(e && e.stack ? e.message + '\\n' + e.stack : e) }));`;
      const r = await within(SCRIPT_MS + 5000, driver.executeAsyncScript(script, args), `${name}: a script in the page`);
      if (!r.ok) throw new Error(`${name}: the page threw: ${r.error}`);
      return r.value;
    },
    /** Waits (at most `ms`) until `fn(...args)` in the page is truthy; returns its value. */
    async until(ms, what, fn, ...args) {
      const t0 = Date.now();
      for (;;) {
        const v = await env.run(fn, ...args);
        if (v) return v;
        if (Date.now() - t0 > ms) throw new Error(`${name}: ${what}: not within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    /** Opens the lab (with a query) in the top document and waits for lab.ready and the error recorder. */
    async open(query = '') {
      await driver.switchTo().defaultContent();
      await driver.get(url + query);
      await env.until(30000, 'window.lab', () => window.lab !== undefined);
      await env.run(() => window.lab.ready.then(() => true));
      await env.run(recordProblems);
    },
    /** Opens a host page with one iframe `#f` and switches into the frame once its lab is ready. */
    async openFramed(file, html) {
      await driver.switchTo().defaultContent();
      await driver.get(env.hostPage(file, html));
      await driver.switchTo().frame(await driver.findElement({ css: '#f' }));
      await env.until(30000, 'window.lab in the frame', () => window.lab !== undefined);
      await env.run(() => window.lab.ready.then(() => true));
      await env.run(recordProblems);
    },
    /** The errors seen in the page since it opened (uncaught errors, rejected promises, error messages shown). */
    problems: () => env.run(() => window.__problems),
    /** How many times the server sent `path` since the last `forget()`. */
    served: (path) => requests.filter((r) => r === path).length,
    forget: () => { requests.length = 0; },
    async close() { await stop(); server.close(); host.server.close(); },
  };
  return env;
}

/** Installed in each page the tests open: records the page's uncaught errors, rejected promises and every error
 * message the page shows (WebDriver classic reads no console in Firefox or WebKit). */
function recordProblems() {
  if (window.__problems) return true;
  window.__problems = [];
  window.addEventListener('error', (e) => window.__problems.push(`error: ${e.message}`));
  window.addEventListener('unhandledrejection', (e) => window.__problems.push(`unhandled rejection: ${e.reason?.message ?? e.reason}`));
  const box = document.getElementById('message');
  new MutationObserver(() => {
    const text = `message: ${box.textContent}`;
    if (!box.hidden && box.classList.contains('error') && window.__problems.at(-1) !== text) window.__problems.push(text);
  }).observe(box, { attributes: true, childList: true, characterData: true, subtree: true });
  return true;
}

/** From the browser suite's harness: the command line's run.json for a preset (cliRun), the numbers that must
 * agree (essence), and the protocol host page's script (HOST_JS). */
export { cliRun, essence, HOST_JS } from '../browser/harness.mjs';
