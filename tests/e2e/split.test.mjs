// The release build's wasm comes in two parts (scripts/wasm-split.sh, tools/wasmsplit): the page
// starts from the first, and fetches the rest once it is up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, typeLine, useSite, waitForLine } from './harness.mjs';

const t = useSite();

const started = (page) =>
  page.waitForFunction(() => {
    const status = [...document.querySelectorAll('section.node-box[data-name] .node-status')];
    const prompt = document.querySelector('.terminal .xterm-rows')?.textContent.includes('⎈');
    return status.length >= 3 && status.every((s) => s.textContent === 'Ready') && prompt;
  }, null, { timeout: 30_000 });

test('the page starts from the first part of the wasm and fetches the rest once it is up', async () => {
  const { page, problems } = await openPage(t.browser, t.site.url);
  await started(page);
  const waited = await page.evaluate(() => globalThis.hakoniwaSplit.waited);
  assert.equal(waited, 0, 'the page ran a function of the cold part while starting: app/split-profile.txt is out of date (make split-profile)');
  await page.waitForFunction(() => globalThis.hakoniwaSplit.loaded, null, { timeout: 15_000 });
  // kubectl explain is code of the cold part.
  await typeLine(page, 'kubectl explain deployment.spec.strategy');
  await waitForLine(page, /^\s+rollingUpdate\s+<RollingUpdateDeployment>$/);
  assert.equal(await page.evaluate(() => globalThis.hakoniwaSplit.waited), 0);
  assert.deepEqual(problems, []);
});

test('a command that needs the cold part before it has come fetches it at once', async () => {
  // (No service worker: its fetches would not be held.)
  const context = await t.browser.newContext({ serviceWorkers: 'block' });
  // The page's own fetch of the cold part is held back; the one the command makes is not.
  let held = false;
  await context.route('**/*_cold.wasm', async (route) => {
    if (!held) {
      held = true;
      await new Promise((ok) => setTimeout(ok, 10_000));
    }
    await route.continue().catch(() => undefined);
  });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => msg.type() === 'error' && problems.push(msg.text()));
  page.on('pageerror', (err) => problems.push(err.message));
  await page.goto(t.site.url);
  await started(page);
  await page.waitForFunction(() => document.querySelectorAll('.terminal').length > 0);
  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(() => globalThis.hakoniwaSplit.loaded), false);
  await typeLine(page, 'kubectl explain deployment.spec.strategy');
  await waitForLine(page, /^\s+rollingUpdate\s+<RollingUpdateDeployment>$/);
  assert.deepEqual(await page.evaluate(() => [globalThis.hakoniwaSplit.loaded, globalThis.hakoniwaSplit.waited]), [true, 1]);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a cold part that cannot be had makes the page say so and offer a reload', async () => {
  const context = await t.browser.newContext({ serviceWorkers: 'block' });
  await context.route('**/*_cold.wasm', (route) => route.fulfill({ status: 404, body: 'not found' }));
  const page = await context.newPage();
  await page.goto(t.site.url);
  await started(page);
  await typeLine(page, 'kubectl explain deployment.spec.strategy');
  const notice = page.getByRole('alert');
  await notice.waitFor({ timeout: 10_000 });
  assert.match(await notice.textContent(), /could not be loaded/);
  assert.equal(await notice.getByRole('button', { name: 'Reload' }).count(), 1);
  await context.close();
});
