// English and Japanese: the browser's language first, then the learner's choice, kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, useSite } from './harness.mjs';

const t = useSite();

test('a Japanese browser gets Japanese; the switch changes every label and is remembered', async () => {
  const { page, problems } = await openPage(t.browser, t.site.url, { locale: 'ja-JP' });
  await page.getByRole('button', { name: 'リセット' }).waitFor({ timeout: 15_000 });
  assert.equal(await page.getAttribute('html', 'lang'), 'ja');
  assert.equal(await page.locator('#terminal-heading').textContent(), 'ターミナル');
  assert.equal(await page.getByRole('button', { name: '一時停止' }).count(), 1);
  assert.match(await page.locator('.terminal .xterm-rows').textContent(), /使えるコマンドは/);
  // kubectl stays kubectl.
  await page.locator('.terminal .xterm').click();
  await page.keyboard.type('kubectl get ns kube-system -o name');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('.terminal .xterm-rows').textContent.includes('namespace/kube-system'));

  await page.getByRole('button', { name: 'English' }).click();
  assert.equal(await page.locator('#terminal-heading').textContent(), 'Terminal');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.getByRole('button', { name: 'Pause' }).count(), 1);
  await page.reload();
  await page.getByRole('button', { name: 'Reset' }).waitFor({ timeout: 15_000 });
  assert.equal(await page.locator('#cluster-heading').textContent(), 'Cluster');
  assert.deepEqual(problems, []);
});

test('large print for a projector is one click, and stays', async () => {
  const { page, problems } = await openPage(t.browser, t.site.url);
  await page.getByRole('button', { name: 'A+' }).waitFor({ timeout: 15_000 });
  const before = await page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
  await page.getByRole('button', { name: 'A+' }).click();
  assert.equal(await page.getAttribute('html', 'class'), 'large');
  assert.equal(await page.getByRole('button', { name: 'A+' }).getAttribute('aria-pressed'), 'true');
  const after = await page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
  assert.ok(parseFloat(after) > parseFloat(before), `${before} -> ${after}`);
  await page.locator('.terminal .xterm').click();
  await page.keyboard.type('kubectl get ns');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('.terminal .xterm-rows')?.textContent.includes('kube-public'));
  await page.reload();
  await page.getByRole('button', { name: 'A+', pressed: true }).waitFor({ timeout: 15_000 });
  // A fresh start says nothing about restoring; a reload does.
  await page.waitForFunction(() => document.querySelector('.terminal .xterm-rows')?.textContent.includes('restored from this browser'));
  assert.deepEqual(problems, []);
});
