// `make screenshots`: the main states of the playground as PNG files in screenshots/, for a
// reviewer to look at. Not a test (the tests are *.test.mjs); it fails loudly if a state
// cannot be reached.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { launchBrowser, openPage, serveStatic, typeLine } from './harness.mjs';

const OUT = resolve(import.meta.dirname, '..', '..', 'screenshots');
await mkdir(OUT, { recursive: true });
const site = await serveStatic();
const browser = await launchBrowser();
const shots = [];

async function fresh(options = {}) {
  const { page, problems } = await openPage(browser, site.url, options);
  await page.setViewportSize({ width: 1440, height: 960 });
  await page.locator('section.node-box[data-name]').nth(2).waitFor({ timeout: 15_000 });
  return { page, problems };
}

async function shot(page, name) {
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path });
  shots.push(path);
}

try {
  let { page, problems } = await fresh();
  await shot(page, '01-boot');

  await typeLine(page, 'kubectl create deployment web --image=nginx:1.27 --replicas=3');
  await typeLine(page, 'kubectl rollout status deployment/web');
  await page.waitForFunction(() => document.querySelector('.terminal .xterm-rows').textContent.includes('successfully rolled out'), null, { timeout: 30_000 });
  await typeLine(page, 'kubectl get pods -o wide');
  await page.waitForTimeout(300);
  await shot(page, '02-terminal-and-pods');

  await page.getByText('Editor', { exact: true }).click();
  await page.locator('.editor .cm-editor').waitFor();
  await page.locator('.editor .cm-content').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.insertText('   oops: true\n');
  await page.locator('.cm-lint-marker-error').waitFor();
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await page.waitForTimeout(300);
  await shot(page, '03-editor-with-a-yaml-error');

  await page.locator('li.pod[data-name^="web-"] button').first().click();
  await page.locator('section.inspector pre.output').waitFor();
  await shot(page, '04-inspector-describe');
  if (problems.length) throw new Error(problems.join('\n'));

  ({ page, problems } = await fresh({ locale: 'ja-JP' }));
  await page.getByRole('button', { name: 'A+' }).click();
  await typeLine(page, 'kubectl get nodes');
  await page.waitForTimeout(300);
  await shot(page, '05-japanese-large-print');
  if (problems.length) throw new Error(problems.join('\n'));

  ({ page, problems } = await openPage(browser, `${site.url}#lesson=05-deployment`));
  await page.setViewportSize({ width: 1440, height: 960 });
  await page.locator('.lessons-body li.check.missing').first().waitFor({ timeout: 15_000 });
  await typeLine(page, 'kubectl create deployment web --image=nginx:1.26 --replicas=3');
  await page.getByRole('button', { name: '+1 min' }).click();
  await page.locator('.lessons-body li.step.done').first().waitFor({ timeout: 15_000 });
  await page.getByRole('button', { name: /Show a hint/ }).click();
  await page.waitForTimeout(300);
  await shot(page, '06-lesson');

  await page.getByRole('button', { name: '← All lessons' }).click();
  await page.waitForTimeout(200);
  await shot(page, '07-lessons-list');
  if (problems.length) throw new Error(problems.join('\n'));
} finally {
  await browser.close();
  await site.close();
}
for (const s of shots) console.log(s);
