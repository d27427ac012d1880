// Starts the app without an inline script, so the page can keep a strict Content-Security-Policy
// (no inline scripts; 'wasm-unsafe-eval' for WebAssembly). Trunk names the hashed files in a
// <meta> element (see pattern_script in Trunk.toml); paths are relative to the page, so the site
// works from any sub-path of a static host.
// Offline after the first visit (app/js/sw.js).
if ('serviceWorker' in navigator && location.protocol.startsWith('http')) {
  navigator.serviceWorker.register('./sw.js').catch(() => undefined);
}

const names = document.querySelector('meta[name="hakoniwa-app"]')?.content.split(' ') ?? [];
const [js, wasm] = names;

// A release build's wasm comes in two parts (scripts/wasm-split.sh): what the page runs to start,
// and the rest, `<stem>_cold.wasm`, fetched once the app is up. A cold function the app calls
// before then loads it at once: its stub in the first part calls `load`. The cold part has no
// state of its own (it uses the first part's memory, table and globals), so making it twice is
// harmless. (WebAssembly calls the imports as plain functions: they name `split`, not `this`.)
const coldUrl = new URL(wasm.replace(/_bg\.wasm$/, '_cold.wasm'), document.baseURI);
const split = {
  primary: null,
  module: null,
  /** Function indices an instrumented build ran, in order (scripts/split-profile.mjs). */
  hits: [],
  /** How often a cold function could not wait for the cold part (a test keeps it at 0 while
   * the page starts: app/split-profile.txt is then up to date). */
  waited: 0,
  attach(exports) {
    split.primary = exports;
  },
  get loaded() {
    return split.primary?.['@loaded']?.value === 1;
  },
  /** Makes the cold part from its compiled module: its element segment fills the stubs' slots. */
  instantiate(module) {
    if (split.loaded) return;
    new WebAssembly.Instance(module, { primary: split.primary });
    split.primary['@loaded'].value = 1;
  },
  /** Called by a cold function's stub before the cold part has come: fetches it now. If it
   * cannot be had, the page says so (the call cannot go on: the app stops, as after a panic). */
  load() {
    if (split.loaded) return;
    split.waited += 1;
    try {
      split.instantiate(split.module ?? new WebAssembly.Module(fetchNow(coldUrl)));
    } catch (err) {
      notice();
      throw err;
    }
  },
  hit(i) {
    split.hits.push(i);
  },
};
globalThis.hakoniwaSplit = split;

/** Tells the learner that the page must be reloaded (plain DOM, as the app's crash notice). */
function notice() {
  if (document.querySelector('.crash')) return;
  const ja = (navigator.language ?? '').startsWith('ja');
  const panel = document.createElement('div');
  panel.className = 'crash';
  panel.setAttribute('role', 'alert');
  const p = document.createElement('p');
  p.textContent = ja
    ? 'Hakoniwa のコードの一部を読み込めませんでした (オフラインですか?)。再読み込みすると最後の保存から再開します。'
    : 'Part of Hakoniwa could not be loaded (are you offline?). Reload to go on from the last save.';
  const button = document.createElement('button');
  button.textContent = ja ? '再読み込み' : 'Reload';
  button.addEventListener('click', () => location.reload());
  panel.append(p, button);
  document.body.append(panel);
}

/** The bytes at `url`, fetched synchronously (only when a cold function cannot wait). */
function fetchNow(url) {
  const xhr = new XMLHttpRequest();
  xhr.open('GET', url, false);
  xhr.overrideMimeType('text/plain; charset=x-user-defined');
  xhr.send();
  if (xhr.status !== 200) throw new Error(`cannot load ${url}: ${xhr.status}`);
  const text = xhr.responseText;
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  return bytes;
}

const bindings = await import(new URL(js, document.baseURI).href);
await bindings.default({ module_or_path: new URL(wasm, document.baseURI) });

// The cold part is fetched once the page is idle (the cluster booted, the prompt shown).
if (split.primary?.['@loaded'] && !split.loaded) {
  await new Promise((idle) => (window.requestIdleCallback ?? setTimeout)(idle, { timeout: 2000 }));
  // (If it cannot be had now, a cold function fetches it when it is first called. A host that
  // does not serve wasm as application/wasm gets the bytes compiled instead of streamed.)
  const module = await WebAssembly.compileStreaming(fetch(coldUrl))
    .catch(() => fetch(coldUrl).then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(r.statusText)))).then((b) => WebAssembly.compile(b)))
    .catch(() => null);
  if (module) {
    try {
      split.instantiate(module);
      split.module = module;
    } catch {
      // (A module that does not link is not kept; a stub will fetch it afresh.)
    }
  }
}
