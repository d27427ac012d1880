// Where the page's main thread spends its time while it simulates at "max" with many pods on
// kind-large and the terminal is typed into (the scenario of `ui_longest_task_ms` in
// scripts/bench-browser.mjs): a CPU profile from Chromium, printed as the functions with the
// most time of their own and the most time under them. Not part of `make bench`; a tool for
// finding what to make faster. Function names need a build that keeps them:
//
//   HAKONIWA_SPLIT=off trunk build --release --dist /tmp/distprof
//   node scripts/profile-browser.mjs /tmp/distprof
//
//   HAKONIWA_PROFILE_PODS=10000   the Deployment's replicas (default 10000)
//   HAKONIWA_PROFILE_SECONDS=20   how long the profile runs (default 20)
//   HAKONIWA_PROFILE_TOP=40       how many functions each list shows (default 40)
//   HAKONIWA_PROFILE_OUT=p.cpuprofile  also writes the profile (DevTools opens it)
import { writeFileSync } from 'node:fs';
import { launchBrowser, serveStatic } from '../tests/e2e/harness.mjs';

const dir = process.argv[2];
const PODS = Number(process.env.HAKONIWA_PROFILE_PODS ?? 10000);
const SECONDS = Number(process.env.HAKONIWA_PROFILE_SECONDS ?? 20);
const TOP = Number(process.env.HAKONIWA_PROFILE_TOP ?? 40);

const site = await serveStatic(...(dir ? [dir] : []));
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.addInitScript(() => {
    window.__long = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__long.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(site.url);
  await page.locator('section.node-box[data-name]').first().waitFor({ timeout: 120_000 });
  await page.locator('header label.preset select').selectOption('kind-large');
  await page.locator('section.node-box[data-name="kind-worker100"]').waitFor({ timeout: 300_000 });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  const began = await page.evaluate(() => {
    window.__long = [];
    return performance.now();
  });
  await cdp.send('Profiler.start');
  await page.locator('button.speed[data-speed="inf"]').click();
  await page.locator('.terminal .xterm').click();
  await page.keyboard.type(`kubectl create deployment big --image=nginx:1.27 --replicas=${PODS}`);
  await page.keyboard.press('Enter');
  const until = Date.now() + SECONDS * 1000;
  while (Date.now() < until) {
    await page.keyboard.type('kubectl get deploy big');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(1000);
  }
  const { profile } = await cdp.send('Profiler.stop');
  const long = await page.evaluate(() => {
    document.querySelector('button.speed[data-speed="0"]')?.click();
    return window.__long;
  });
  if (process.env.HAKONIWA_PROFILE_OUT) writeFileSync(process.env.HAKONIWA_PROFILE_OUT, JSON.stringify(profile));
  report(profile, long, began);
  await page.keyboard.type('kubectl get deploy big --no-headers');
  await page.keyboard.press('Enter');
  await page.waitForTimeout(2000);
  const rows = await page.$$eval('.terminal .xterm-rows > div', (ds) => ds.map((d) => d.textContent.replace(/\u00a0/g, ' ').trimEnd()));
  console.log(`\n# at the end: ${rows.filter((l) => l.startsWith('big ')).pop() ?? '(no line)'}`);
} finally {
  await browser.close();
  await site.close();
}

/** Self and total time per function name, and the long tasks with what ran in each. */
function report(profile, long, began) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (n) => {
    const f = n.callFrame;
    return f.functionName || (f.url ? `(anonymous ${f.url.split('/').pop()}:${f.lineNumber})` : `(${n.callFrame.functionName || 'program'})`);
  };
  const self = new Map();
  const total = new Map();
  let all = 0;
  // Samples inside a long task: a run of samples with no idle one among them (the profile's
  // clock is not the page's, so the tasks are found in the profile itself), longer than 50 ms.
  const inLong = new Map();
  let run = [];
  let runMs = 0;
  const close = () => {
    if (runMs > 50) for (const [stack, dt] of run) for (const nm of stack) inLong.set(nm, (inLong.get(nm) ?? 0) + dt);
    run = [];
    runMs = 0;
  };
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const leaf = byId.get(profile.samples[i]);
    if (!leaf || name(leaf) === '(idle)') {
      close();
      continue;
    }
    all += dt;
    self.set(name(leaf), (self.get(name(leaf)) ?? 0) + dt);
    const seen = new Set();
    for (let id = leaf.id; id !== undefined; id = parent.get(id)) {
      const nm = name(byId.get(id));
      if (seen.has(nm)) continue;
      seen.add(nm);
      total.set(nm, (total.get(nm) ?? 0) + dt);
    }
    run.push([seen, dt]);
    runMs += dt;
  }
  close();
  const top = (m) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP)
      .map(([n, ms]) => `${ms.toFixed(0).padStart(8)} ms  ${(100 * ms / all).toFixed(1).padStart(5)}%  ${n}`)
      .join('\n');
  const longMs = long.reduce((s, [, d]) => s + d, 0);
  const longest = long.reduce((m, [, d]) => Math.max(m, d), 0);
  console.log(`# ${all.toFixed(0)} ms busy in the profile; ${long.length} long tasks (${longMs.toFixed(0)} ms, longest ${longest.toFixed(0)} ms); first long task at ${(long[0]?.[0] - began).toFixed(0)} ms`);
  console.log(`# long tasks (start after the profile began, duration), first 30:\n${long.slice(0, 30).map(([s, d]) => `${(s - began).toFixed(0)} +${d.toFixed(0)}`).join(', ')}`);
  console.log(`\n# self time\n${top(self)}`);
  console.log(`\n# total time (the function or anything it called)\n${top(total)}`);
  console.log(`\n# total time inside long tasks\n${top(inLong)}`);
}
