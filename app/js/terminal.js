// The terminal's glue: xterm.js (from npm, bundled at build time by esbuild) under a small
// global the Rust app calls through wasm-bindgen. Everything a keystroke means is decided in
// Rust (hakoniwa-core's terminal module); this file only moves bytes and sizes.
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';

globalThis.HakoniwaTerm = {
  /** Opens a terminal in `element`; `onData(text)` gets keystrokes, `onResize(cols)` widths. */
  open(element, onData, onResize, options) {
    const term = new Terminal({
      cursorBlink: true,
      convertEol: false,
      scrollback: 5000,
      fontFamily: 'ui-monospace, "SF Mono", Menlo, Consolas, "Noto Sans Mono CJK JP", monospace',
      fontSize: options?.fontSize ?? 14,
      // Screen readers read the terminal through xterm's accessibility tree.
      screenReaderMode: options?.screenReader ?? true,
      // Colours readable on the dark background (WCAG AA, 4.5:1; checked end to end).
      theme: {
        background: '#1d2330',
        foreground: '#e8eaee',
        cursor: '#9bd3ae',
        black: '#8b93a5',
        red: '#ff8a80',
        green: '#8bd89b',
        yellow: '#f2d479',
        blue: '#82b4ff',
        magenta: '#e3a6f5',
        cyan: '#6fd8e6',
        white: '#e8eaee',
      },
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(element);
    const refit = () => {
      try {
        fit.fit();
      } catch {
        // A hidden panel has no size; the next resize fits it.
      }
    };
    refit();
    term.onData(onData);
    term.onResize(({ cols }) => onResize(cols));
    new ResizeObserver(refit).observe(element);
    return term;
  },
  write(term, text) {
    term.write(text);
  },
  cols(term) {
    return term.cols;
  },
  focus(term) {
    term.focus();
  },
  setFontSize(term, size) {
    term.options.fontSize = size;
  },
};
