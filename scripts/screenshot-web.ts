/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Screenshot of the web page of a running service (for the README), through Debian's chromium:
 *
 *   npm start &                                   # wait for /health to say ready
 *   node --import tsx scripts/screenshot-web.ts [--url http://127.0.0.1:8080] [--id OBJECT_ID] [--out docs/figures/web-page.png]
 *
 * Without --id it picks a typical galaxy: the least anomalous galaxy among the 200 objects that
 * GET /v1/outliers lists.
 */
import { parseArgs } from 'node:util';
import puppeteer from 'puppeteer-core';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8080' },
    id: { type: 'string' },
    out: { type: 'string', default: 'docs/figures/web-page.png' },
    chromium: { type: 'string', default: process.env.SKYCLIP_CHROMIUM ?? '/usr/bin/chromium' },
  },
});

async function firstGalaxy(base: string): Promise<string> {
  const response = await fetch(`${base}/v1/outliers?modality=image&k=200`);
  if (!response.ok) throw new Error(`GET /v1/outliers: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { outliers: Array<{ id: string; object: { class: string | null; z: number | null } }> };
  // The least anomalous of the 200 listed: a typical galaxy with plenty of neighbours.
  const galaxies = body.outliers.filter((o) => o.object.class === 'GALAXY');
  if (galaxies.length === 0) throw new Error('no galaxy among the outliers; pass --id');
  return galaxies[galaxies.length - 1].id;
}

const id = values.id ?? (await firstGalaxy(values.url));
const browser = await puppeteer.launch({ executablePath: values.chromium, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 1400, deviceScaleFactor: 1 });
  await page.goto(`${values.url}/?id=${encodeURIComponent(id)}&modality=image&target=both&k=8`, { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  await page.waitForSelector('#detail-predictions tr', { timeout: 60_000 });
  await page.waitForFunction(() => [...document.querySelectorAll('img')].every((img) => img.hidden || (img.complete && img.naturalWidth > 0)), { timeout: 30_000 });
  await page.screenshot({ path: values.out, fullPage: true });
  console.log(`wrote ${values.out} (object ${id})`);
} finally {
  await browser.close();
}
