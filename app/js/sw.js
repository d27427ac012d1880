// Offline after the first visit: this service worker keeps a copy of the site. At install it
// stores the page and every file the page names (and the editor's bundle, the lessons and the
// wasm's second part); afterwards it asks
// the network first (so a new build shows at once) and answers from its copy when offline.
const CACHE = 'hakoniwa-site';

async function precache() {
  const cache = await caches.open(CACHE);
  const page = await fetch('./', { cache: 'no-cache' });
  const html = await page.clone().text();
  await cache.put('./', page);
  const names = new Set(['loader.js', 'editor.js', 'lessons.json']);
  for (const m of html.matchAll(/(?:href|src)="\.\/([^"]+)"/g)) names.add(m[1]);
  const meta = /name="hakoniwa-app" content="([^"]+)"/.exec(html);
  if (meta) for (const n of meta[1].split(' ')) names.add(n);
  await cache.addAll([...names].map((n) => `./${n}`));
  // A release build's wasm has a second part the page fetches once it is up (app/js/loader.js).
  const wasm = [...names].find((n) => n.endsWith('_bg.wasm'));
  const cold = wasm?.replace(/_bg\.wasm$/, '_cold.wasm');
  if (cold && (await cache.add(`./${cold}`).then(() => true, () => false))) names.add(cold);
  // Files of older builds go.
  const keep = new Set([new URL('./', self.location).href, ...[...names].map((n) => new URL(`./${n}`, self.location).href)]);
  for (const req of await cache.keys()) if (!keep.has(req.url)) await cache.delete(req);
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache().catch(() => undefined).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      try {
        const fresh = await fetch(event.request);
        if (fresh.ok && !url.hash) cache.put(event.request, fresh.clone());
        return fresh;
      } catch (err) {
        const hit = (await cache.match(event.request, { ignoreSearch: true })) ?? (event.request.mode === 'navigate' ? await cache.match('./') : undefined);
        if (hit) return hit;
        throw err;
      }
    })(),
  );
});
