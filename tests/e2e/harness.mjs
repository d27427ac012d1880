// Shared set-up for end-to-end tests: serve the built site (dist/) on loopback and drive
// Debian's Chromium, headless, through playwright-core. Nothing here downloads a browser.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '..', '..');
export const DIST = join(ROOT, 'dist');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Serves `dir` on 127.0.0.1 at a free port, under `prefix` (a sub-path of the host, as a
 * static host may give it); resolves to { url, close }. */
export async function serveStatic(dir = DIST, prefix = '/') {
  await stat(join(dir, 'index.html')); // fail early and clearly if the site is not built
  const server = createServer(async (req, res) => {
    try {
      const full = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      if (!full.startsWith(prefix)) throw Object.assign(new Error('outside'), { code: 'ENOENT' });
      const path = `/${full.slice(prefix.length)}`;
      let file = normalize(join(dir, path));
      if (!file.startsWith(dir)) throw Object.assign(new Error('outside'), { code: 'ENOENT' });
      if (path.endsWith('/')) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}${prefix}`, close: () => new Promise((ok) => server.close(ok)) };
}

/** Launches headless Chromium with the flags this machine's closed network needs. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Opens a page that records console errors and uncaught exceptions in `problems`. */
export async function openPage(browser, url, options = {}) {
  const page = await browser.newPage(options);
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console.error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  // A reload or navigation cancels what the page left was still fetching (net::ERR_ABORTED):
  // that is the browser leaving a page, not a failure of the site.
  let navigations = 0;
  const startedAt = new WeakMap();
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations += 1;
  });
  page.on('request', (req) => startedAt.set(req, navigations));
  page.on('requestfailed', (req) => {
    const error = req.failure()?.errorText;
    const report = () => problems.push(`request failed: ${req.url()} ${error}`);
    if (error !== 'net::ERR_ABORTED' || !startedAt.has(req)) return report();
    // The navigation that aborted it is seen just after: decide a moment later.
    setTimeout(() => {
      if (startedAt.get(req) === navigations) report();
    }, 500);
  });
  await page.goto(url);
  return { page, problems };
}

/** For one test file: the built site served and Chromium started before its tests, both
 * closed after. Returns an object whose `site` and `browser` are set by then. */
export function useSite() {
  const t = {};
  before(async () => {
    t.site = await serveStatic();
    t.browser = await launchBrowser();
  });
  after(async () => {
    await t.browser?.close();
    await t.site?.close();
  });
  return t;
}

/** The terminal's visible lines, as text. */
export async function screen(page) {
  return page.$$eval('.terminal .xterm-rows > div', (rows) => rows.map((r) => r.textContent.replace(/\u00a0/g, ' ').trimEnd()));
}

/** Waits until some line of the terminal contains `match` (a string) or matches it (a RegExp). */
export async function waitForLine(page, match, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const lines = await screen(page);
    if (lines.some((l) => (typeof match === 'string' ? l.includes(match) : match.test(l)))) return lines;
    if (Date.now() > deadline) throw new Error(`no line matched ${match}; screen:\n${lines.join('\n')}`);
    await page.waitForTimeout(100);
  }
}

/** Clicks into the terminal and types a line. */
export async function typeLine(page, text) {
  await page.locator('.terminal .xterm').click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

/** The keystrokes a playground save holds, joined: clock steps journaled between them (more of
 * them when the machine is busy) do not split what was typed. */
export function typedKeys(saveText) {
  const journal = JSON.parse(saveText)?.journal;
  return Array.isArray(journal) ? journal.filter((e) => typeof e === 'string').join('') : '';
}

/** Waits until this browser's saved playground holds `text` among its keystrokes. */
export async function waitForSavedKeys(page, text) {
  await page.waitForFunction((text) => Object.keys(localStorage).some((k) => {
    if (!k.startsWith('hakoniwa.')) return false;
    try {
      const journal = JSON.parse(localStorage.getItem(k))?.journal;
      return Array.isArray(journal) && journal.filter((e) => typeof e === 'string').join('').includes(text);
    } catch {
      return false;
    }
  }), text);
}
