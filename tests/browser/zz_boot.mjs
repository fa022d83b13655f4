import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/static-server.mjs';
const sites = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=')));
const servers = {}; for (const k in sites) servers[k] = await startServer(sites[k]);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const ctx = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
const res = {}; for (const k in sites) res[k] = [];
const N = Number(process.env.N ?? 15);
for (let i = 0; i < N; i++) for (const k in sites) {
  const page = await ctx.newPage();
  if (process.env.NET) {
    const [latency, kbps] = process.env.NET.split(',').map(Number);
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency, downloadThroughput: kbps * 1024 / 8, uploadThroughput: kbps * 1024 / 8 });
  }
  await page.goto(`${servers[k].url}${process.env.Q ?? ''}`);
  res[k].push(Math.round(await page.evaluate(async () => { await window.lab.ready; return performance.now(); })));
  if (process.env.MARKS) console.log(k, await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0];
    const nav = ['fetchStart','requestStart','responseStart','responseEnd','domInteractive','domContentLoadedEventStart','domContentLoadedEventEnd','loadEventStart'].map((x) => x.slice(0, 12) + '=' + Math.round(n[x])).join(' ');
    const res = performance.getEntriesByType('resource').map((r) => r.name.split('/').pop() + ':' + Math.round(r.startTime) + '-' + Math.round(r.responseEnd)).join(' ');
    return nav + '\n  ' + res + '\n  ' + JSON.stringify(performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)]));
  }));
  await page.close();
}
const med = (x) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)];
for (const k in res) console.log(k, 'median', med(res[k]), 'min', Math.min(...res[k]), 'max', Math.max(...res[k]), res[k].join(' '));
await browser.close(); for (const k in servers) servers[k].server.close();
