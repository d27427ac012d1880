// The figures of `make bench` that need the built site and a browser: start time, first-load
// transfer, the workload scenarios in this wasm (core's `bench` module through the app's
// `bench_*` exports), long tasks while simulating at "max", and the side-by-side with
// Webernetes. One `bench <name> <value> <unit>` line each; a figure that misses its target says
// so after it. Nothing here fails on time.
//
// usage: node scripts/bench-browser.mjs            (the site must be built: make build)
//   HAKONIWA_BENCH_REPLICAS=100,1000   the Deployment sizes (default 100,1000,10000)
//   HAKONIWA_BENCH_LONGTASK_PODS=1000  the pods of the long-task measure (default 10000)
//   HAKONIWA_BENCH_WEBERNETES=100      the sizes Webernetes runs (default 100,1000)
//   HAKONIWA_BENCH_ONLY=start,longtask  only these parts (transfer, start, deploy, kubectl,
//                                       webernetes, longtask)
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DIST, launchBrowser, serveStatic } from '../tests/e2e/harness.mjs';

const sizes = (name, fallback) => (process.env[name] ?? fallback).split(',').map(Number).filter((n) => n > 0);
const REPLICAS = sizes('HAKONIWA_BENCH_REPLICAS', '100,1000,10000');
// The pods the long-task measure creates (10,000 for the figure; 1,000 to look at a smaller case).
const LONGTASK_PODS = Number(process.env.HAKONIWA_BENCH_LONGTASK_PODS ?? 10000);
const WEBERNETES = sizes('HAKONIWA_BENCH_WEBERNETES', '100,1000');
const ONLY = process.env.HAKONIWA_BENCH_ONLY?.split(',');
const part = (name) => !ONLY || ONLY.includes(name);

/** Prints one figure; `target` is [comparison, limit] ('<=' or '>=') when there is one. */
function bench(name, value, unit, target) {
  const shown = typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(1)) : value;
  let note = '';
  if (target && typeof value === 'number') {
    const [cmp, limit] = target;
    const met = cmp === '<=' ? value <= limit : value >= limit;
    note = met ? '' : ` (target ${cmp} ${limit} ${unit}: missed)`;
  }
  console.log(`bench ${name} ${shown} ${unit}${note}`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** First-load bytes (what index.html names, and itself) and each lazily loaded file, gzip -9. */
function transfer() {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const gz = (f) => gzipSync(readFileSync(join(DIST, f)), { level: 9 }).length;
  let first = gz('index.html');
  const lazy = [];
  for (const f of readdirSync(DIST).sort()) {
    if (!/\.(wasm|js|css|json)$/.test(f)) continue;
    if (html.includes(f)) first += gz(f);
    else lazy.push([f, gz(f)]);
  }
  bench('transfer_gzip_kb', first / 1024, 'KiB', ['<=', 1024]);
  for (const [f, bytes] of lazy) bench(`transfer_lazy_gzip_kb_${f.replace(/(-[0-9a-f]{16})+(?=[._])/, '')}`, bytes / 1024, 'KiB');
}

/** Page open to the cluster ready (every node box Ready) and the prompt shown, in ms. */
async function startOnce(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  const handle = await page.waitForFunction(
    () => {
      const status = [...document.querySelectorAll('section.node-box[data-name] .node-status')];
      const prompt = document.querySelector('.terminal .xterm-rows')?.textContent.includes('⎈');
      return status.length >= 3 && status.every((s) => s.textContent === 'Ready') && prompt ? performance.now() : false;
    },
    null,
    { polling: 'raf', timeout: 120_000 },
  );
  const ms = await handle.jsonValue();
  await context.close();
  return ms;
}

/** A fresh page of the site whose app module (and its `bench_*` exports) is loaded. */
async function appPage(browser, url) {
  const page = await browser.newPage();
  await page.goto(url);
  await page.locator('section.node-box[data-name]').first().waitFor({ timeout: 120_000 });
  return page;
}

async function deployInChromium(browser, url, replicas) {
  const page = await appPage(browser, url);
  const r = await page.evaluate(
    async (n) => {
      const m = await import(new URL(document.querySelector('meta[name="hakoniwa-app"]').content.split(' ')[0], document.baseURI).href);
      const t0 = performance.now();
      const nodes = m.bench_boot(Math.ceil(n / 30));
      const t1 = performance.now();
      const ready = m.bench_deploy(n);
      const t2 = performance.now();
      const heap = m.bench_heap_bytes();
      m.bench_drop();
      return { nodes, boot: t1 - t0, ready, ms: t2 - t1, heap };
    },
    replicas,
  );
  await page.close();
  return r;
}

async function kubectlInChromium(browser, url) {
  const page = await appPage(browser, url);
  const r = await page.evaluate(
    async () => {
      const m = await import(new URL(document.querySelector('meta[name="hakoniwa-app"]').content.split(' ')[0], document.baseURI).href);
      m.bench_pods(10_000);
      const out = [];
      for (const line of ['kubectl get pods -A', 'kubectl get pods -A -o name']) {
        const runs = 5;
        const t0 = performance.now();
        let bytes = 0;
        for (let i = 0; i < runs; i++) bytes = m.bench_kubectl(line);
        out.push({ line, ms: (performance.now() - t0) / runs, bytes });
      }
      m.bench_drop();
      return out;
    },
  );
  await page.close();
  return r;
}

/** The longest main-thread task while the playground simulates at "max" with 10,000 pods on
 * the kind-large preset and the terminal is typed into. */
async function longestTask(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__longest = 0;
    window.__tasks = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        window.__tasks += 1;
        window.__longest = Math.max(window.__longest, e.duration);
      }
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(url);
  await page.locator('section.node-box[data-name]').first().waitFor({ timeout: 120_000 });
  await page.locator('header label.preset select').selectOption('kind-large');
  await page.locator('section.node-box[data-name="kind-worker100"]').waitFor({ timeout: 300_000 });
  const type = async (line) => {
    await page.locator('.terminal .xterm').click();
    await page.keyboard.type(line);
    await page.keyboard.press('Enter');
  };
  // Only what happens from here counts: simulating at max while the learner creates 10,000
  // pods and goes on typing.
  await page.evaluate(() => {
    window.__longest = 0;
    window.__tasks = 0;
  });
  await page.locator('button.speed[data-speed="inf"]').click();
  await type(`kubectl create deployment big --image=nginx:1.27 --replicas=${LONGTASK_PODS}`);
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    await page.keyboard.type('kubectl get deploy big');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(1000);
  }
  const r = await page.evaluate(() => {
    document.querySelector('button.speed[data-speed="0"]')?.click();
    return { longest: window.__longest, tasks: window.__tasks };
  });
  await page.keyboard.type('kubectl get deploy big --no-headers');
  await page.keyboard.press('Enter');
  await page.waitForTimeout(2000);
  const rows = await page.$$eval('.terminal .xterm-rows > div', (ds) => ds.map((d) => d.textContent.replace(/\u00a0/g, ' ').trimEnd()));
  const last = rows.filter((l) => l.startsWith('big ')).pop() ?? '';
  await context.close();
  return { ...r, ready: last.split(/\s+/)[1] ?? '?' };
}

function webernetes(replicas) {
  try {
    const out = execFileSync('node', [join(import.meta.dirname, 'bench-webernetes.mjs'), String(replicas), '--timeout-s=300'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const ms = /deploy_ready_ms=([0-9.]+)/.exec(out);
    return { ms: ms ? Number(ms[1]) : null, line: out.trim() };
  } catch (e) {
    return { ms: null, line: String(e.stdout ?? e.message).trim() };
  }
}

const site = await serveStatic();
const browser = await launchBrowser();
try {
  if (part('transfer')) transfer();
  if (part('start')) {
    const starts = [];
    for (let i = 0; i < 5; i++) starts.push(await startOnce(browser, site.url));
    bench('start_ms', median(starts), 'ms', ['<=', 500]);
  }

  const ours = {};
  for (const n of part('deploy') || part('webernetes') ? REPLICAS : []) {
    const r = await deployInChromium(browser, site.url, n);
    if (r.ready !== n) {
      bench(`deploy_ready_ms_${n}_chromium`, 'NaN', 'ms', null);
      console.log(`# only ${r.ready} of ${n} ready after 600 virtual seconds`);
      continue;
    }
    ours[n] = r.ms;
    bench(`cluster_boot_${r.nodes - 1}_workers_ms_chromium`, r.boot, 'ms');
    bench(`deploy_ready_ms_${n}_chromium`, r.ms, 'ms');
    bench(`deploy_ready_${n}_heap_mib_chromium`, r.heap / 1048576, 'MiB');
  }

  for (const k of part('kubectl') ? await kubectlInChromium(browser, site.url) : []) {
    const name = k.line.endsWith('-o name') ? 'kubectl_get_pods_all_name_ms_chromium' : 'kubectl_get_pods_all_ms_chromium';
    bench(name, k.ms, 'ms', name === 'kubectl_get_pods_all_ms_chromium' ? ['<=', 20] : null);
  }

  for (const n of part('webernetes') ? WEBERNETES : []) {
    const w = webernetes(n);
    console.log(`# ${w.line}`);
    if (w.ms === null || !ours[n]) {
      bench(`webernetes_ratio_${n}`, 'NaN', 'x');
      continue;
    }
    bench(`webernetes_deploy_ready_ms_${n}`, w.ms, 'ms');
    bench(`webernetes_ratio_${n}`, w.ms / ours[n], 'x', n === 1000 ? ['>=', 20] : null);
  }

  if (part('longtask')) {
    const lt = await longestTask(browser, site.url);
    bench(LONGTASK_PODS === 10000 ? 'ui_longest_task_ms' : `ui_longest_task_ms_${LONGTASK_PODS}_pods`, lt.longest, 'ms', ['<=', 50]);
    console.log(`# ${lt.tasks} long tasks in 30 s at max on kind-large; deployment big ready ${lt.ready}`);
  }
} finally {
  await browser.close();
  await site.close();
}
