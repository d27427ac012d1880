// The editor: open it (its script loads on first use), apply the starter file and see the
// terminal run kubectl; break the YAML and see the mark at its line and kubectl's error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, useSite, waitForLine } from './harness.mjs';

const t = useSite();

/** A fresh page with the editor open on the starter file, its text replaced by `text`. */
async function openEditorWith(text) {
  const { page, problems } = await openPage(t.browser, t.site.url);
  await waitForLine(page, '(⎈|kind-kind:default) $');
  await page.getByText('Editor', { exact: true }).click();
  await page.locator('.editor .cm-editor').waitFor({ timeout: 10_000 });
  await page.locator('.editor .cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
  return { page, problems };
}

test('the editor loads on first use, applies through the terminal and marks broken YAML', async () => {
  const { page, problems } = await openPage(t.browser, t.site.url);
  await waitForLine(page, '(⎈|kind-kind:default) $');
  const editorRequests = [];
  page.on('request', (r) => r.url().endsWith('/editor.js') && editorRequests.push(r.url()));
  assert.equal(await page.evaluate(() => 'HakoniwaEditor' in globalThis), false);

  await page.getByText('Editor', { exact: true }).click();
  await page.locator('.editor .cm-editor').waitFor({ timeout: 10_000 });
  assert.equal(editorRequests.length, 1);
  assert.equal(await page.locator('button.file[aria-current="true"]').textContent(), 'web.yaml');
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await waitForLine(page, '$ kubectl apply -f web.yaml');
  await waitForLine(page, 'deployment.apps/web created');

  // Edit: three replicas; Ctrl+Enter applies.
  await page.locator('.editor .cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - {name: nginx, image: "nginx:1.27"}\n');
  await page.keyboard.press('Control+Enter');
  await waitForLine(page, 'deployment.apps/web configured');
  // Diff against the live object: nothing after an apply, a hunk after a change.
  await page.getByRole('button', { name: 'Diff', exact: true }).click();
  await waitForLine(page, '$ kubectl diff -f web.yaml');
  await page.locator('.editor .cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 4\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - {name: nginx, image: "nginx:1.27"}\n');
  await page.getByRole('button', { name: 'Diff', exact: true }).click();
  await waitForLine(page, /^\+  replicas: 4$/);
  await waitForLine(page, /^-  replicas: 3$/);

  // Break line 7: the gutter marks it, and kubectl says the same.
  await page.locator('.editor .cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n   c: d\n');
  await page.locator('.cm-lint-marker-error').waitFor({ timeout: 5_000 });
  const markedLine = await page.evaluate(() => {
    const marker = document.querySelector('.cm-lint-marker-error');
    const gutterEl = marker.closest('.cm-gutterElement');
    const top = gutterEl.getBoundingClientRect().top;
    const lines = [...document.querySelectorAll('.cm-content .cm-line')];
    return lines.findIndex((l) => Math.abs(l.getBoundingClientRect().top - top) < 3) + 1;
  });
  assert.equal(markedLine, 7);
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await waitForLine(page, 'error: error parsing web.yaml: error converting YAML to JSON: yaml: line 7: mapp');

  // A snippet for a kind is what kubectl's own generator writes; it applies as it is.
  await page.getByLabel('New from a kind…').selectOption('CronJob');
  await page.locator('button.file[aria-current="true"]', { hasText: 'cronjob.yaml' }).waitFor();
  await page.waitForFunction(() => globalThis.HakoniwaEditor?.current?.state.doc.toString().startsWith('apiVersion: batch/v1\nkind: CronJob\n'));
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await waitForLine(page, 'cronjob.batch/hello created');

  // A new file, then the terminal sees both.
  await page.getByLabel('New file name').fill('notes.txt');
  await page.getByRole('button', { name: 'New' }).click();
  await page.locator('button.file[aria-current="true"]', { hasText: 'notes.txt' }).waitFor();
  await page.locator('.terminal .xterm').click();
  await page.keyboard.type('ls');
  await page.keyboard.press('Enter');
  await waitForLine(page, /^web\.yaml$/);
  await waitForLine(page, /^notes\.txt$/);
  await waitForLine(page, /^cronjob\.yaml$/);
  assert.deepEqual(problems, []);
});

test('kubectl edit opens the object in the editor; Apply hands it back, refusals come back annotated', async () => {
  const { page, problems } = await openPage(t.browser, t.site.url);
  await waitForLine(page, '(⎈|kind-kind:default) $');
  await page.locator('.terminal .xterm').click();
  await page.keyboard.type('kubectl create deployment web --image=nginx:1.27');
  await page.keyboard.press('Enter');
  await waitForLine(page, 'deployment.apps/web created');
  await page.keyboard.type('kubectl edit deployment web');
  await page.keyboard.press('Enter');
  // The editor opens by itself on kubectl's file.
  await page.locator('button.file[aria-current="true"]', { hasText: 'kubectl-edit-deployment-web.yaml' }).waitFor({ timeout: 10_000 });
  await page.locator('.editor .cm-editor').waitFor();
  assert.match(await page.locator('.editor .cm-content').textContent(), /^# Please edit the object below/);
  const edit = async (from, to) => {
    // The whole text (CodeMirror draws only the lines in view).
    const text = await page.evaluate(() => globalThis.HakoniwaEditor.current.state.doc.toString());
    await page.locator('.editor .cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(text.replace(from, to));
  };
  await edit('replicas: 1', 'replicas: -1');
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('.editor .cm-content')?.textContent.includes('# * spec.replicas: Invalid value: -1: must be greater than or equal to 0'));
  await edit('replicas: -1', 'replicas: 2');
  await page.keyboard.press('Control+Enter');
  await waitForLine(page, 'deployment.apps/web edited');
  await page.locator('.terminal .xterm').click();
  await page.keyboard.type('kubectl get deploy web -o jsonpath={.spec.replicas}');
  await page.keyboard.press('Enter');
  await waitForLine(page, /\$ kubectl get deploy web -o jsonpath=\{\.spec\.replicas\}$/);
  await waitForLine(page, /^2$/);
  assert.deepEqual(problems, []);
});

test('what the server would refuse is marked at the field\'s line before anything is applied', async () => {
  const { page, problems } = await openEditorWith('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: -1\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.27\n');
  await page.locator('.cm-lint-marker-error').waitFor({ timeout: 5_000 });
  const line = await page.evaluate(() => {
    const top = document.querySelector('.cm-lint-marker-error').closest('.cm-gutterElement').getBoundingClientRect().top;
    return [...document.querySelectorAll('.cm-content .cm-line')].findIndex((l) => Math.abs(l.getBoundingClientRect().top - top) < 3) + 1;
  });
  assert.equal(line, 6);
  await page.locator('.cm-lint-marker-error').hover();
  await page.locator('.cm-tooltip-lint', { hasText: 'spec.replicas: Invalid value: -1: must be greater than or equal to 0' }).waitFor();
  // Checking applied nothing.
  await page.locator('.terminal .xterm').click();
  await page.keyboard.type('kubectl get deploy');
  await page.keyboard.press('Enter');
  await waitForLine(page, 'No resources found in default namespace.');
  assert.deepEqual(problems, []);
});

test('the editor offers the fields the schema allows where a key is typed, and says what a key is', async () => {
  const { page, problems } = await openEditorWith('apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx:1.27\n    re');
  // Typing a key's letters opens the list.
  await page.keyboard.type('so');
  const list = page.locator('.cm-tooltip-autocomplete');
  await list.waitFor({ timeout: 5_000 });
  const text = await list.textContent();
  assert.match(text, /resources/);
  assert.match(text, /ResourceRequirements/);
  assert.doesNotMatch(text, /resourceClaims/); // a PodSpec field, not a Container's
  // Choosing the option puts the key in. A click, not Enter: while the list is still being
  // refreshed for the last letter, Enter can reach the document as a new line (seen about
  // one run in eight).
  await list.locator('[role="option"]', { hasText: /^resources/ }).click();
  await page.waitForFunction(() => globalThis.HakoniwaEditor.current.state.doc.toString().endsWith('    resources: '));
  // Hovering a key says its path and type.
  const key = page.locator('.cm-line', { hasText: 'image: nginx:1.27' }).getByText('image');
  await key.hover();
  await page.locator('.cm-field-info').waitFor({ timeout: 5_000 });
  assert.equal(await page.locator('.cm-field-info').textContent(), 'spec.containers.image: string');
  assert.deepEqual(problems, []);
});
