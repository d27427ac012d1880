// The built site boots a cluster from core and shows its nodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, serveStatic, typeLine, useSite, waitForLine } from './harness.mjs';

const t = useSite();

test('the page shows the three nodes of the booted cluster, all Ready, without console errors', async () => {
  const { page, problems } = await openPage(t.browser, t.site.url);
  const boxes = page.locator('section.node-box[data-name]');
  await boxes.nth(2).waitFor({ timeout: 15_000 });
  assert.deepEqual(await boxes.locator('.node-name').allTextContents(), ['kind-control-plane', 'kind-worker', 'kind-worker2']);
  assert.deepEqual(await boxes.locator('.node-status').allTextContents(), ['Ready', 'Ready', 'Ready']);
  assert.equal(await page.locator('section.node-box[data-name="kind-worker"] .node-count').textContent(), '0 pods');
  // kube-system's pods show on request: etcd on the control plane, kube-proxy everywhere.
  assert.equal(await page.locator('li.pod[data-namespace="kube-system"]').count(), 0);
  await page.getByLabel('show kube-system pods').check();
  await page.locator('section.node-box[data-name="kind-control-plane"] li.pod[data-name="etcd-kind-control-plane"][data-state="ready"]').waitFor();
  assert.equal(await page.locator('li.pod[data-name^="kube-proxy-"]').count(), 3);
  // A click opens the pod in the inspector: describe, YAML, logs, events from kubectl.
  await page.locator('li.pod[data-name="etcd-kind-control-plane"] button').click();
  const out = page.locator('section.inspector pre.output');
  await out.waitFor();
  assert.match(await out.textContent(), /^Name:\s+etcd-kind-control-plane\nNamespace:\s+kube-system\n/);
  await page.getByRole('tab', { name: 'YAML' }).click();
  await page.waitForFunction(() => document.querySelector('section.inspector pre.output')?.textContent.startsWith('apiVersion: v1\nkind: Pod\n'));
  assert.equal(await page.locator('section.inspector .command code').textContent(), '$ kubectl get pod etcd-kind-control-plane -n kube-system -o yaml');
  await page.getByRole('button', { name: 'kind-worker2' }).click();
  await page.getByRole('tab', { name: 'describe' }).click();
  await page.waitForFunction(() => /^Name:\s+kind-worker2\nRoles:\s+<none>/.test(document.querySelector('section.inspector pre.output')?.textContent ?? ''));
  await page.getByRole('button', { name: 'Close' }).click();
  assert.equal(await page.locator('section.inspector').count(), 0);
  // Keyboard focus on a pod stays put while the clock runs and the view updates.
  await page.locator('li.pod[data-name="etcd-kind-control-plane"] button').focus();
  await page.waitForTimeout(2500);
  assert.equal(await page.evaluate(() => document.activeElement?.closest('li.pod')?.dataset.name), 'etcd-kind-control-plane');
  await page.keyboard.press('Enter');
  await page.locator('section.inspector pre.output').waitFor();
  await page.locator('details.node-table summary').click();
  const rows = page.locator('table.nodes tr.node');
  await rows.nth(2).waitFor({ timeout: 15_000 });
  assert.deepEqual(await rows.locator('td.name').allTextContents(), ['kind-control-plane', 'kind-worker', 'kind-worker2']);
  assert.deepEqual(await rows.locator('td.status').allTextContents(), ['Ready', 'Ready', 'Ready']);
  assert.deepEqual(await rows.locator('td.roles').allTextContents(), ['control-plane', '<none>', '<none>']);
  assert.deepEqual(await rows.locator('td.version').allTextContents(), ['v1.33.1', 'v1.33.1', 'v1.33.1']);
  assert.equal(await page.locator('header .context code').textContent(), 'kind-kind');
  assert.doesNotMatch(await page.locator('.terminal .xterm-rows').textContent(), /restored/);
  assert.deepEqual(problems, []);
});

test('the AGE column advances with the simulation clock', async () => {
  const { page, problems } = await openPage(t.browser, t.site.url);
  await page.locator('details.node-table summary').click();
  const age = page.locator('table.nodes tr.node td.age').first();
  await age.waitFor({ timeout: 15_000 });
  const first = Number(/^(\d+)s$/.exec(await age.textContent())?.[1]);
  assert.ok(first >= 60, `kind's nodes are a minute old at boot, not ${first}`);
  await page.waitForFunction(
    (was) => {
      const t = document.querySelector('table.nodes tr.node td.age')?.textContent ?? '';
      const m = /^(\d+)s$/.exec(t);
      return m && Number(m[1]) >= was + 2;
    },
    first,
    { timeout: 10_000 },
  );
  assert.deepEqual(problems, []);
});

test('the site works from a sub-path of a static host, under its Content-Security-Policy', async () => {
  const sub = await serveStatic(undefined, '/courses/k8s/play/');
  try {
    const { page, problems } = await openPage(t.browser, sub.url);
    const violations = [];
    await page.exposeFunction('reportViolation', (v) => violations.push(v));
    await page.evaluate(() => document.addEventListener('securitypolicyviolation', (e) => window.reportViolation(`${e.violatedDirective} ${e.blockedURI}`)));
    await page.locator('section.node-box[data-name]').nth(2).waitFor({ timeout: 15_000 });
    assert.ok((await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content')).includes("script-src 'self' 'wasm-unsafe-eval'"));
    assert.equal(await page.locator('script:not([src])').count(), 0);
    await typeLine(page, 'kubectl get nodes -o name');
    await waitForLine(page, /^node\/kind-worker2$/);
    // The editor's script loads from the same sub-path.
    await page.getByText('Editor', { exact: true }).click();
    await page.locator('.editor .cm-editor').waitFor({ timeout: 10_000 });
    assert.deepEqual(violations, []);
    assert.deepEqual(problems, []);
  } finally {
    await sub.close();
  }
});

test('after the first visit the playground opens offline', async () => {
  const { page, problems } = await openPage(t.browser, t.site.url);
  await page.locator('section.node-box[data-name]').nth(2).waitFor({ timeout: 15_000 });
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.context().setOffline(true);
  await page.reload();
  await page.locator('section.node-box[data-name]').nth(2).waitFor({ timeout: 15_000 });
  await typeLine(page, 'kubectl get nodes -o name');
  await waitForLine(page, /^node\/kind-worker2$/);
  // So was the wasm's second part (kubectl explain is in it).
  await page.waitForFunction(() => globalThis.hakoniwaSplit.loaded, null, { timeout: 15_000 });
  await typeLine(page, 'kubectl explain service.spec.ports.protocol');
  await waitForLine(page, /^FIELD:\s+protocol <string>$/);
  // The editor's bundle was stored too.
  await page.getByText('Editor', { exact: true }).click();
  await page.locator('.editor .cm-editor').waitFor({ timeout: 10_000 });
  await page.context().setOffline(false);
  assert.deepEqual(problems.filter((p) => !p.includes('ERR_INTERNET_DISCONNECTED')), []);
});
