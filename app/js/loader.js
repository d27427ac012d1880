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
const bindings = await import(new URL(js, document.baseURI).href);
await bindings.default({ module_or_path: new URL(wasm, document.baseURI) });
