import { chromium } from 'playwright-core';
import { startServer } from '../scripts/static-server.mjs';
const { server, url } = await startServer(new URL('../target/site/', import.meta.url).pathname);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
await page.goto(`${url}?preset=blobs`);
await page.evaluate(() => window.lab.ready);
const cdp = await page.context().newCDPSession(page);
await cdp.send('Performance.enable');
const t0 = Date.now();
for (let k = 1; k <= 10; k++) {
  await page.evaluate(() => window.lab.step(100000));
  const m = await page.evaluate(() => window.lab.metrics());
  const perf = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((x) => [x.name, x.value]));
  const sys = await cdp.send('SystemInfo.getProcessInfo').catch(() => null);
  console.log(JSON.stringify({ step: m.step, s: (Date.now() - t0) / 1000, loss: m.loss_train, log10: m.log10_loss_train, angle: m.angle_wb_deg, acc: m.acc_train, engine: m.engine, heapMB: (perf.JSHeapUsedSize / 1e6).toFixed(1), history: (await page.evaluate(async () => JSON.parse(await window.lab.exportRun()).metrics.length)) }));
}
await browser.close(); server.close();
