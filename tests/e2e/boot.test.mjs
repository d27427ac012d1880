// The built site boots a cluster from core and shows its nodes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, serveStatic } from './harness.mjs';

let site;
let browser;
before(async () => {
  site = await serveStatic();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await site?.close();
});

test('the page shows the three nodes of the booted cluster, all Ready, without console errors', async () => {
  const { page, problems } = await openPage(browser, site.url);
  const rows = page.locator('table.nodes tr.node');
  await rows.nth(2).waitFor({ timeout: 15_000 });
  assert.deepEqual(await rows.locator('td.name').allTextContents(), ['kind-control-plane', 'kind-worker', 'kind-worker2']);
  assert.deepEqual(await rows.locator('td.status').allTextContents(), ['Ready', 'Ready', 'Ready']);
  assert.deepEqual(await rows.locator('td.roles').allTextContents(), ['control-plane', '<none>', '<none>']);
  assert.deepEqual(await rows.locator('td.version').allTextContents(), ['v1.33.1', 'v1.33.1', 'v1.33.1']);
  assert.equal(await page.locator('header .context code').textContent(), 'kind-kind');
  assert.deepEqual(problems, []);
});

test('the AGE column advances with the simulation clock', async () => {
  const { page, problems } = await openPage(browser, site.url);
  const age = page.locator('table.nodes tr.node td.age').first();
  await age.waitFor({ timeout: 15_000 });
  await page.waitForFunction(
    () => {
      const t = document.querySelector('table.nodes tr.node td.age')?.textContent ?? '';
      const m = /^(\d+)s$/.exec(t);
      return m && Number(m[1]) >= 2;
    },
    null,
    { timeout: 10_000 },
  );
  assert.deepEqual(problems, []);
});
