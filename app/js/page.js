// The page's JavaScript, bundled into one file by esbuild: the terminal (xterm.js) and share
// links. The editor (CodeMirror) is a separate bundle, loaded on first use.
import './terminal.js';
import './share.js';
import './tasks.js';
