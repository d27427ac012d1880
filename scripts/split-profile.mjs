// Writes app/split-profile.txt, the functions the first part of the split wasm keeps (see
// scripts/wasm-split.sh and tools/wasmsplit): those a page runs while it starts and while a
// learner types the first commands a beginner types (below). Each function is named once,
// under the step that first ran it.
//
// usage: HAKONIWA_SPLIT=instrument trunk build --release && node scripts/split-profile.mjs
//        (make split-profile does both, then rebuilds the site as usual)
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DIST, launchBrowser, serveStatic, typeLine, waitForLine } from '../tests/e2e/harness.mjs';

const PROFILE = resolve(import.meta.dirname, '..', 'app', 'split-profile.txt');

// What a learner does first; each is waited for (its line) before the next.
const STEPS = [
  ['kubectl get nodes', 'control-plane'],
  ['kubectl get pods -A', 'kube-system'],
  ['kubectl run web --image=nginx:1.27', 'pod/web created'],
  ['kubectl create deployment hello --image=nginx:1.27 --replicas=3', 'deployment.apps/hello created'],
  ['kubectl get pods', 'hello-'],
  ['kubectl get deploy,rs,pods -o wide', 'NOMINATED NODE'],
  ['kubectl expose deployment hello --port=80', 'service/hello exposed'],
  ['kubectl get svc', 'hello'],
  ['kubectl describe pod web', 'Events:'],
  ['kubectl logs web', /.*/],
  ['kubectl get pod web -o yaml', 'qosClass: BestEffort'],
  // Large enough that the loops' reaction is cut by the page's budget and finished in slices:
  // a slow machine's start cuts them too, and must not need the second part for it.
  ['kubectl scale deployment hello --replicas=150', 'deployment.apps/hello scaled'],
  ['kubectl delete pod web', 'pod "web" deleted'],
];

const names = readFileSync(join(DIST, 'split-names.txt'), 'utf8').split('\n');
const site = await serveStatic();
const browser = await launchBrowser();
const out = ['# Functions the first part of the split wasm keeps: written by scripts/split-profile.mjs.'];
const seen = new Set();
let taken = 0;
const take = async (page, step) => {
  const hits = await page.evaluate(() => globalThis.hakoniwaSplit.hits);
  out.push(`# ${step}`);
  for (const i of hits.slice(taken)) {
    const name = names[i];
    if (name && !seen.has(name)) {
      seen.add(name);
      out.push(name);
    }
  }
  taken = hits.length;
};
try {
  const page = await browser.newPage();
  await page.goto(site.url);
  await page.waitForFunction(() => {
    const status = [...document.querySelectorAll('section.node-box[data-name] .node-status')];
    const prompt = document.querySelector('.terminal .xterm-rows')?.textContent.includes('⎈');
    return status.length >= 3 && status.every((s) => s.textContent === 'Ready') && prompt;
  }, null, { timeout: 120_000 });
  await page.waitForTimeout(1000);
  await take(page, 'start');
  for (const [command, line] of STEPS) {
    await typeLine(page, command);
    await waitForLine(page, line, 30_000);
    await page.waitForTimeout(500);
    await take(page, command);
  }
} finally {
  await browser.close();
  await site.close();
}
// What the profile's last section keeps by hand ('# Kept by hand' to the end): functions a page
// runs at start only at some times (a timestamp with a digit to pad), which one run may miss.
const kept = (() => {
  try {
    const old = readFileSync(PROFILE, 'utf8');
    const at = old.indexOf('# Kept by hand');
    return at < 0 ? '' : old.slice(at);
  } catch {
    return '';
  }
})();
writeFileSync(PROFILE, `${out.join('\n')}\n${kept}`);
console.log(`split-profile: ${seen.size} functions of ${names.filter(Boolean).length} named`);
