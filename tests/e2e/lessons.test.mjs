// A lesson walked by typing: a link opens it from its start state, its checks say what is
// missing, each typed command moves it on, and the progress survives a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, typeLine, useSite, waitForLine } from './harness.mjs';

const t = useSite();

async function doneSteps(page, n) {
  await page.locator('.lessons-body li.step.done').nth(n - 1).waitFor({ timeout: 15_000 });
  assert.equal(await page.locator('.lessons-body li.step.done').count(), n);
}

test('a lesson opened by link is walked by typing its commands and keeps its progress', async () => {
  const { page, problems } = await openPage(t.browser, `${t.site.url}#lesson=05-deployment`);
  await waitForLine(page, '(⎈|kind-kind:default) $');
  await page.locator('.lesson-title', { hasText: 'Deployments: rolling updates and rollbacks' }).waitFor({ timeout: 10_000 });
  // The first step's checks say what is not there yet.
  const missing = page.locator('.lessons-body li.check.missing');
  await missing.first().waitFor();
  assert.match(await missing.first().textContent(), /deployment\/web exists — not yet/);
  assert.match(await missing.nth(1).textContent(), /3 ready pods -l app=web — 0 now/);
  // Hints come one at a time; the text is rendered, never as HTML of the source.
  await page.getByRole('button', { name: 'Show a hint (1/2)' }).click();
  assert.equal(await page.locator('.lessons-body ul.hints li').count(), 1);
  assert.equal(await page.locator('.lessons-body script').count(), 0);

  const minute = page.getByRole('button', { name: '+1 min' });
  await typeLine(page, 'kubectl create deployment web --image=nginx:1.26 --replicas=3');
  await waitForLine(page, 'deployment.apps/web created');
  await minute.click();
  await doneSteps(page, 1);

  await typeLine(page, 'kubectl set image deployment/web nginx=nginx:1.27');
  await waitForLine(page, 'deployment.apps/web image updated');
  await minute.click();
  await minute.click();
  await doneSteps(page, 2);

  await typeLine(page, 'k rollout history deploy/web');
  await doneSteps(page, 3);

  // The last step, from its "run in terminal" button.
  await page.locator('.lessons-body li.step.current button.run-block').first().click();
  await waitForLine(page, 'deployment.apps/web rolled back');
  await minute.click();
  await minute.click();
  await page.locator('.lessons-body .lesson-done').waitFor({ timeout: 15_000 });

  // Starting over asks first; saying no keeps everything.
  page.once('dialog', (d) => d.dismiss());
  await page.getByRole('button', { name: 'Start over' }).click();
  await page.locator('.lessons-body .lesson-done').waitFor();
  assert.equal(await page.getByRole('button', { name: '← Previous lesson' }).count(), 1);

  // Saved with the playground: a reload finds the lesson done.
  await page.evaluate(() => window.dispatchEvent(new Event('pagehide')));
  await page.reload();
  await page.locator('.lessons-body .lesson-done').waitFor({ timeout: 15_000 });
  await page.getByRole('button', { name: '← All lessons' }).click();
  assert.match(await page.locator('.lessons-body li', { hasText: 'Deployments: rolling updates' }).last().textContent(), /✓ .* 4\/4/);
  assert.deepEqual(problems, []);
});

test('an embedded lesson shows only its lesson, and keeps its playground apart from the learner’s own', async () => {
  const { page, problems } = await openPage(t.browser, `${t.site.url}?embed=1&lesson=05-pod`);
  await waitForLine(page, '(⎈|kind-kind:default) $');
  await page.locator('.lessons-body li.step.current').waitFor({ timeout: 15_000 });
  assert.equal(await page.locator('body.embed').count(), 1);
  for (const name of ['Export', 'Share', '← All lessons']) {
    assert.equal(await page.getByRole('button', { name, exact: true }).isVisible(), false, name);
  }
  await typeLine(page, 'kubectl get pods');
  await page.evaluate(() => window.dispatchEvent(new Event('pagehide')));
  const keys = await page.evaluate(() => Object.keys(localStorage));
  assert.ok(keys.includes('hakoniwa.embed.05-pod'), keys.join(' '));
  assert.ok(!keys.includes('hakoniwa.playground'), keys.join(' '));
  assert.deepEqual(problems, []);
});
