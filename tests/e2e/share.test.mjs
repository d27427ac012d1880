// Share links: the playground travels in the URL fragment; opening one in another browser
// gives the same cluster, files and history; the opener's own save is kept aside; a damaged
// link is refused without harm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, typedKeys, typeLine, useSite, waitForLine, waitForSavedKeys } from './harness.mjs';

const t = useSite();

test('a shared link opens the same playground elsewhere, keeping the opener’s own aside', async () => {
  const a = await openPage(t.browser, t.site.url);
  await waitForLine(a.page, '(⎈|kind-kind:default) $');
  await typeLine(a.page, 'kubectl create namespace shared-ns');
  await waitForLine(a.page, 'namespace/shared-ns created');
  await typeLine(a.page, 'echo hello > note.txt');
  await a.page.getByRole('button', { name: 'Share' }).click();
  const input = a.page.locator('p.share-link input');
  await input.waitFor();
  const url = await input.inputValue();
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/#share=[A-Za-z0-9_-]+$/);

  // Another browser that already has a playground of its own.
  const b = await openPage(t.browser, t.site.url);
  await waitForLine(b.page, '(⎈|kind-kind:default) $');
  await typeLine(b.page, 'kubectl create namespace mine');
  await waitForLine(b.page, 'namespace/mine created');
  // Leave only once the autosave holds the command (the line shows before the save is made).
  await waitForSavedKeys(b.page, 'kubectl create namespace mine');
  await b.page.goto('about:blank');
  await b.page.goto(url);
  await b.page.getByRole('status').filter({ hasText: 'came from a shared link' }).waitFor({ timeout: 15_000 });
  assert.equal(new URL(b.page.url()).hash, '');
  await typeLine(b.page, 'kubectl get ns shared-ns -o name; cat note.txt; history | head -n 2');
  await waitForLine(b.page, 'namespace/shared-ns');
  await waitForLine(b.page, '    1  kubectl create namespace shared-ns');
  await waitForLine(b.page, /^hello$/);
  const aside = await b.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('hakoniwa.playground.aside.')).map((k) => localStorage.getItem(k)));
  assert.equal(aside.length, 1);
  assert.ok(typedKeys(aside[0]).includes('kubectl create namespace mine'));
  assert.deepEqual(a.problems, []);
  assert.deepEqual(b.problems, []);
});

test('a damaged link is refused and the playground goes on', async () => {
  const { page, problems } = await openPage(t.browser, `${t.site.url}#share=not-a-real-share`);
  await page.getByRole('status').filter({ hasText: 'could not be opened' }).waitFor({ timeout: 15_000 });
  await typeLine(page, 'kubectl get ns default -o name');
  await waitForLine(page, 'namespace/default');
  assert.deepEqual(problems, []);
});

test('Export gives a file that Import opens elsewhere; a file that is not a playground is refused', async () => {
  const a = await openPage(t.browser, t.site.url);
  await waitForLine(a.page, '(⎈|kind-kind:default) $');
  await typeLine(a.page, 'kubectl create namespace exported');
  await waitForLine(a.page, 'namespace/exported created');
  const [download] = await Promise.all([a.page.waitForEvent('download'), a.page.getByRole('button', { name: 'Export' }).click()]);
  assert.equal(download.suggestedFilename(), 'hakoniwa-playground.json');
  const file = await download.path();

  const b = await openPage(t.browser, t.site.url);
  await waitForLine(b.page, '(⎈|kind-kind:default) $');
  await b.page.locator('label.import input[type=file]').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"hakoniwa": 1}') });
  await b.page.getByRole('status').filter({ hasText: 'not a playground' }).waitFor();
  await b.page.locator('label.import input[type=file]').setInputFiles(file);
  await b.page.waitForFunction(() => document.querySelector('.terminal .xterm-rows')?.textContent.includes('restored from this browser'), null, { timeout: 15_000 });
  await typeLine(b.page, 'kubectl get ns exported -o name');
  await waitForLine(b.page, 'namespace/exported');
  assert.deepEqual(a.problems, []);
  assert.deepEqual(b.problems, []);
});

test('several playgrounds: keep a named copy, open it later, and the one left is kept aside', async () => {
  const { page, problems } = await openPage(t.browser, t.site.url);
  await waitForLine(page, '(⎈|kind-kind:default) $');
  await typeLine(page, 'kubectl create namespace first');
  await waitForLine(page, 'namespace/first created');
  await page.getByText('Playgrounds', { exact: true }).click();
  await page.getByLabel('name for a copy').fill('lesson one');
  await page.getByRole('button', { name: 'Keep a copy' }).click();
  await page.locator('details.kept li', { hasText: 'lesson one' }).waitFor();
  await page.getByText('Playgrounds', { exact: true }).click();
  // Go on, then go back to the copy.
  await typeLine(page, 'kubectl create namespace second');
  await waitForLine(page, 'namespace/second created');
  await page.getByText('Playgrounds', { exact: true }).click();
  await page.locator('details.kept li', { hasText: 'lesson one' }).getByRole('button', { name: 'Open' }).click();
  await waitForLine(page, 'restored from this browser', 15_000);
  await typeLine(page, 'kubectl get ns first second -o name');
  await waitForLine(page, 'namespace/first');
  await waitForLine(page, 'Error from server (NotFound): namespaces "second" not found');
  // The playground that was left is there, kept aside.
  await page.getByText('Playgrounds', { exact: true }).click();
  const aside = page.locator('details.kept li', { hasText: 'kept aside' });
  await aside.waitFor();
  await aside.getByRole('button', { name: 'Open' }).click();
  await waitForLine(page, 'restored from this browser', 15_000);
  await typeLine(page, 'kubectl get ns second -o name');
  await waitForLine(page, /^namespace\/second$/);
  assert.deepEqual(problems, []);
});

test('choosing another cluster preset starts it fresh and keeps the playground left aside', async () => {
  const { page, problems } = await openPage(t.browser, t.site.url);
  await waitForLine(page, '(⎈|kind-kind:default) $');
  const select = page.locator('header label.preset select');
  assert.deepEqual(await select.locator('option').allTextContents(), ['kind', 'minikube', 'kind-large']);
  assert.equal(await select.inputValue(), 'kind');
  await typeLine(page, 'kubectl create namespace before-the-switch');
  await waitForLine(page, 'namespace/before-the-switch created');
  // Only once the autosave holds the typed command (as the share test waits for it).
  await waitForSavedKeys(page, 'kubectl create namespace before-the-switch');
  await select.selectOption('minikube');
  await page.locator('section.node-box[data-name="minikube"]').waitFor({ timeout: 15_000 });
  await waitForLine(page, '(⎈|minikube:default) $');
  assert.equal(await page.locator('header .context code').textContent(), 'minikube');
  assert.equal(await page.locator('header label.preset select').inputValue(), 'minikube');
  await typeLine(page, 'kubectl get ns before-the-switch');
  await waitForLine(page, 'Error from server (NotFound): namespaces "before-the-switch" not found');
  const aside = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('hakoniwa.playground.aside.')).map((k) => localStorage.getItem(k)));
  assert.equal(aside.length, 1);
  assert.ok(typedKeys(aside[0]).includes('kubectl create namespace before-the-switch'));
  assert.deepEqual(problems, []);
});
