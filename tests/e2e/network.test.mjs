// Networking in the browser: a Service appears in the cluster view with the pods it reaches,
// and a request from a pod's shell travels through the cluster DNS and kube-proxy to one of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, typeLine, useSite, waitForLine } from './harness.mjs';

const t = useSite();

test('a Service shows its endpoints, and wget from a pod reaches one of them', async () => {
  const { page, problems } = await openPage(t.browser, t.site.url);
  await page.locator('.terminal .xterm').waitFor({ timeout: 15_000 });
  await waitForLine(page, '(⎈|kind-kind:default) $');
  await page.locator('.terminal .xterm').click();
  await typeLine(page, 'kubectl create deployment echo --image=amsy810/echo-nginx:v2.0 --replicas=2 && kubectl expose deployment echo --port=8080 --target-port=80');
  await waitForLine(page, 'service/echo exposed');
  await typeLine(page, 'kubectl run client --image=busybox:1.36 -- sleep infinity');
  await waitForLine(page, 'pod/client created');
  await page.getByRole('button', { name: 'Max' }).click();
  await page.locator('li.service[data-name="echo"] li.chip[data-ready="true"]').nth(1).waitFor({ timeout: 15_000 });
  await page.locator('li.pod[data-state="ready"][data-name="client"]').waitFor({ timeout: 15_000 });
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.locator('.terminal .xterm').click();
  await typeLine(page, 'kubectl exec client -- wget -qO- http://echo:8080/hello');
  await waitForLine(page, /^Host=echo {2}Path=\/hello {2}From=echo-[a-z0-9]+-[a-z0-9]+ {2}ClientIP=10\.244\.\d+\.\d+ {2}XFF=$/);

  // The Service opens in the inspector with kubectl describe.
  await page.locator('li.service[data-name="echo"] button.svc-open').click();
  const text = await page.locator('.inspector pre.output').textContent();
  assert.match(text, /^Name:\s+echo$/m);
  assert.match(text, /^Endpoints:\s+10\.244\.\d+\.\d+:80,10\.244\.\d+\.\d+:80$/m);
  assert.deepEqual(problems, []);
});
