// Share links: a playground's save, deflated by the browser's CompressionStream and written in
// base64url, travels in the URL fragment (never sent to a server). Reading one back is
// untrusted input: the Rust side checks everything; a fragment that does not inflate gives "".

function toBase64Url(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

async function through(stream, bytes) {
  const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

/** The most a shared save may inflate to (a bomb stops here). */
const MAX_INFLATED = 16 * 1024 * 1024;

globalThis.HakoniwaShare = {
  /** Deflates `text`; `done(packed)` gets the base64url text. */
  pack(text, done) {
    through(new CompressionStream('deflate-raw'), new TextEncoder().encode(text))
      .then((b) => done(toBase64Url(b)))
      .catch(() => done(''));
  },
  /** Inflates what `pack` made; `done(text)` gets it, or "" when it is not a share. */
  unpack(packed, done) {
    let bytes;
    try {
      bytes = fromBase64Url(packed);
    } catch {
      done('');
      return;
    }
    const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
    const chunks = [];
    let size = 0;
    const next = () =>
      reader.read().then(({ done: end, value }) => {
        if (end) {
          const all = new Uint8Array(size);
          let at = 0;
          for (const c of chunks) {
            all.set(c, at);
            at += c.length;
          }
          done(new TextDecoder().decode(all));
          return undefined;
        }
        size += value.length;
        if (size > MAX_INFLATED) {
          reader.cancel();
          done('');
          return undefined;
        }
        chunks.push(value);
        return next();
      });
    next().catch(() => done(''));
  },
  /** Puts `text` on the clipboard when the browser allows it; `done(ok)`. */
  copy(text, done) {
    if (!navigator.clipboard) {
      done(false);
      return;
    }
    navigator.clipboard.writeText(text).then(() => done(true), () => done(false));
  },
};
