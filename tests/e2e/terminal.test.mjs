// The terminal: type kubectl commands into xterm.js and see what the emulator printed; apply a
// Deployment from a here-document and watch its pods appear on the nodes; history survives a
// reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, typeLine, useSite, waitForLine } from './harness.mjs';

const t = useSite();

test('kubectl in the terminal prints what kubectl prints, and applied pods appear on the nodes', async () => {
  const { page, problems } = await openPage(t.browser, t.site.url);
  await page.locator('.terminal .xterm').waitFor({ timeout: 15_000 });
  await waitForLine(page, '(⎈|kind-kind:default) $');
  await page.locator('.terminal .xterm').click();
  await typeLine(page, 'kubectl get nodes');
  const lines = await waitForLine(page, /^kind-worker2\s+Ready\s+<none>\s+\d+s\s+v1\.33\.1$/);
  assert.ok(lines.some((l) => /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/.test(l)), lines.join('\n'));
  // Screen readers get the same lines through xterm's accessibility tree.
  await page.waitForFunction(() => [...document.querySelectorAll('.terminal .xterm-accessibility-tree > div')].some((r) => r.textContent.startsWith('kind-worker2')));
  assert.equal(await page.getAttribute('.terminal .xterm-accessibility-tree', 'role'), 'list');

  // A here-document typed line by line, as a learner would.
  await typeLine(page, 'kubectl apply -f - <<EOF');
  for (const l of [
    'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: web', 'spec:', '  replicas: 2',
    '  selector: {matchLabels: {app: web}}', '  template:', '    metadata: {labels: {app: web}}',
    '    spec: {containers: [{name: nginx, image: "nginx:1.27"}]}', 'EOF',
  ]) {
    await typeLine(page, l);
  }
  await waitForLine(page, 'deployment.apps/web created');
  await page.getByRole('button', { name: 'Max' }).click();
  await page.locator('li.pod[data-state="ready"][data-name^="web-"]').nth(1).waitFor({ timeout: 15_000 });
  assert.equal(await page.locator('li.pod[data-name^="web-"]').count(), 2);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  assert.equal(await page.getByRole('button', { name: 'Pause', exact: true }).getAttribute('aria-pressed'), 'true');

  // rollout status follows the rollout as the clock runs; get -w goes on until Ctrl+C. The
  // clock stays paused until it has said it waits (on a busy machine, typing can take longer
  // than the rollout).
  await page.locator('.terminal .xterm').click();
  await typeLine(page, 'kubectl rollout restart deploy/web');
  await typeLine(page, 'kubectl rollout status deploy/web');
  await waitForLine(page, /^Waiting for deployment "web" rollout to finish: /);
  await page.getByRole('button', { name: '1×' }).click();
  await page.locator('.terminal .xterm').click();
  await waitForLine(page, 'deployment "web" successfully rolled out', 30_000);
  await typeLine(page, 'kubectl get deploy -w');
  await waitForLine(page, /^web\s+2\/2\s+2\s+2\s+\d+s$/);
  await page.keyboard.press('Control+C');
  await waitForLine(page, /^\^C$/);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();

  // Tab completes, pipes work.
  await page.locator('.terminal .xterm').click();
  await page.keyboard.type('kubectl get deploy');
  await page.keyboard.press('Tab');
  await waitForLine(page, /\$ kubectl get deployments$/);
  await typeLine(page, '| grep web | wc -l');
  await waitForLine(page, /^1$/);
  assert.deepEqual(problems, []);

  // After a reload the playground is back: history, and the cluster with the Deployment.
  await page.reload();
  await waitForLine(page, 'restored from this browser');
  await page.locator('.terminal .xterm').click();
  await page.keyboard.press('ArrowUp');
  await waitForLine(page, '$ kubectl get deployments | grep web | wc -l');
  await page.keyboard.press('Control+U');
  await typeLine(page, 'kubectl get deploy web -o name');
  await waitForLine(page, /^deployment\.apps\/web$/);
  // The restored cluster has the Deployment's two pods (the view may still be drawing a pod
  // that the replay's last moment is ending; it goes within seconds or this fails).
  await page.waitForFunction(() => document.querySelectorAll('li.pod[data-name^="web-"]').length === 2, null, { timeout: 10_000 }).catch(() => undefined);
  assert.equal(await page.locator('li.pod[data-name^="web-"]').count(), 2);
  assert.deepEqual(problems, []);
});

test('a save that cannot be read is kept aside, and Reset starts over', async () => {
  const { page, problems } = await openPage(t.browser, t.site.url);
  await waitForLine(page, '(⎈|kind-kind:default) $');
  await page.evaluate(() => localStorage.setItem('hakoniwa.playground', '{"hakoniwa": 99}'));
  await page.reload();
  await page.getByRole('status').filter({ hasText: 'version 99' }).waitFor();
  const aside = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('hakoniwa.playground.aside.')));
  assert.equal(aside.length, 1);
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), aside[0]), '{"hakoniwa": 99}');
  // The fresh cluster works, and Reset forgets it.
  await page.locator('.terminal .xterm').click();
  await typeLine(page, 'kubectl create ns lesson');
  await waitForLine(page, 'namespace/lesson created');
  await page.getByRole('button', { name: 'Reset' }).click();
  await waitForLine(page, '(⎈|kind-kind:default) $');
  await page.locator('.terminal .xterm').click();
  await typeLine(page, 'kubectl get ns lesson');
  await waitForLine(page, 'Error from server (NotFound): namespaces "lesson" not found');
  assert.deepEqual(problems, []);
});

test('a node with more pods than it can draw counts them by state, and the counts add up', async () => {
  const { page, problems } = await openPage(t.browser, t.site.url);
  await waitForLine(page, '(⎈|kind-kind:default) $');
  await page.locator('.terminal .xterm').click();
  // 140 pods on kind's two workers: each holds more than the 50 chips a box draws.
  await typeLine(page, 'kubectl create deployment many --image=nginx:1.27 --replicas=140');
  await waitForLine(page, 'deployment.apps/many created');
  await page.getByRole('button', { name: 'Max' }).click();
  const boxes = page.locator('section.node-box[data-name^="kind-worker"]');
  await page.waitForFunction(
    () => {
      const counted = [...document.querySelectorAll('section.node-box[data-name^="kind-worker"]')].map((box) =>
        [...box.querySelectorAll('ul.pods.tally li.pod.tally[data-state="ready"] .pod-status')].reduce((n, s) => n + Number(s.textContent), 0),
      );
      return counted.length === 2 && counted[0] + counted[1] === 140;
    },
    null,
    { timeout: 60_000 },
  );
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  for (let i = 0; i < 2; i++) {
    const box = boxes.nth(i);
    // No chip is drawn; each count has its word (colour is never the only sign), and the
    // counts add up to the pods the box's heading says it holds.
    assert.equal(await box.locator('li.pod:not(.tally)').count(), 0);
    const words = await box.locator('li.pod.tally .pod-name').allTextContents();
    assert.ok(words.includes('ready'), words.join(','));
    const sum = (await box.locator('li.pod.tally .pod-status').allTextContents()).reduce((n, s) => n + Number(s), 0);
    const heading = Number((await box.locator('.node-count').textContent()).split(' ')[0]);
    assert.equal(sum, heading);
    assert.ok(sum > 50, `${sum} pods on ${await box.getAttribute('data-name')}`);
  }
  assert.deepEqual(problems, []);
});
