// English and Japanese: the browser's language first, then the learner's choice, kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, useSite, waitForLine } from './harness.mjs';

const t = useSite();

test('a Japanese browser gets Japanese; the switch changes every label and is remembered', async () => {
  const { page, problems } = await openPage(t.browser, t.site.url, { locale: 'ja-JP' });
  await page.getByRole('button', { name: 'リセット' }).waitFor({ timeout: 15_000 });
  assert.equal(await page.getAttribute('html', 'lang'), 'ja');
  assert.equal(await page.locator('#terminal-heading').textContent(), 'ターミナル');
  assert.equal(await page.getByRole('button', { name: '一時停止', exact: true }).count(), 1);
  assert.match(await page.locator('.terminal .xterm-rows').textContent(), /使えるコマンドは/);
  // kubectl stays kubectl.
  await page.locator('.terminal .xterm').click();
  await page.keyboard.type('kubectl get ns kube-system -o name');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('.terminal .xterm-rows').textContent.includes('namespace/kube-system'));

  await page.getByRole('button', { name: 'English' }).click();
  assert.equal(await page.locator('#terminal-heading').textContent(), 'Terminal');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.getByRole('button', { name: 'Pause', exact: true }).count(), 1);
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

test('text is readable: every visible text has at least 4.5:1 contrast with what is behind it (WCAG AA)', async () => {
  const { page, problems } = await openPage(t.browser, t.site.url);
  await page.locator('section.node-box[data-name]').nth(2).waitFor({ timeout: 15_000 });
  await page.getByLabel('show kube-system pods').check();
  await page.locator('li.pod[data-state="ready"]').first().waitFor();
  await page.locator('.terminal .xterm').click();
  await page.keyboard.type('kubectl get nodes');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('.terminal .xterm-rows')?.textContent.includes('kind-worker2'));
  const low = await page.evaluate(() => {
    const rgb = (c) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) return c;
      }
      return [255, 255, 255];
    };
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!n.textContent.trim() || !el || el.closest('.xterm-accessibility, .xterm-helper-textarea, .xterm-char-measure-element, option, .cm-editor')) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      const fg = lum(rgb(getComputedStyle(el).color));
      const bg = lum(background(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < 4.5) out.push(`${ratio.toFixed(2)} ${el.className || el.tagName}: ${n.textContent.trim().slice(0, 40)}`);
    }
    return [...new Set(out)];
  });
  assert.deepEqual(low, []);
  assert.deepEqual(problems, []);
});

test('Japanese typed through an input method arrives once, as composed', async () => {
  const { page, problems } = await openPage(t.browser, t.site.url);
  await page.locator('.terminal .xterm').waitFor({ timeout: 15_000 });
  await waitForLine(page, '(⎈|kind-kind:default) $');
  await page.locator('.terminal .xterm').click();
  await page.keyboard.type('echo ');
  // A person starts composing after the typed text is on the screen (and xterm has emptied its
  // input element); composing within the same instant races xterm's own clean-up.
  await waitForLine(page, /\$ echo$/);
  await page.waitForTimeout(100);
  // What an IME does: composition updates, then the committed text.
  const ime = await page.context().newCDPSession(page);
  await ime.send('Input.imeSetComposition', { text: 'ぽっど', selectionStart: 3, selectionEnd: 3 });
  await ime.send('Input.imeSetComposition', { text: 'ポッド', selectionStart: 3, selectionEnd: 3 });
  await ime.send('Input.insertText', { text: 'ポッド' });
  await page.keyboard.press('Enter');
  await waitForLine(page, /^ポッド$/);
  await waitForLine(page, /\$ echo ポッド$/);
  assert.deepEqual(problems, []);
});
