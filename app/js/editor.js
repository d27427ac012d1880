// The YAML editor's glue: CodeMirror 6 (from npm, bundled by esbuild, loaded only when the
// editor is first opened) under a small global the Rust app calls. What counts as a mistake
// is decided in Rust (hakoniwa-core's manifest checks), called back through `lint`.
import { EditorView, basicSetup } from 'codemirror';
import { EditorState, Prec } from '@codemirror/state';
import { keymap } from '@codemirror/view';
import { indentWithTab } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import { linter, lintGutter } from '@codemirror/lint';

/** Diagnostics from Rust: JSON `[{line, column, message}]`, lines and columns from 1. */
function diagnostics(view, lint) {
  let problems = [];
  try {
    problems = JSON.parse(lint(view.state.doc.toString()));
  } catch {
    return [];
  }
  const doc = view.state.doc;
  return problems.map((p) => {
    const line = doc.line(Math.min(Math.max(p.line, 1), doc.lines));
    const from = Math.min(line.from + Math.max(p.column - 1, 0), line.to);
    return { from, to: Math.max(from, line.to), severity: 'error', message: p.message };
  });
}

globalThis.HakoniwaEditor = {
  /**
   * Opens an editor in `element` with `text`. `onChange(text)` after edits, `lint(text)` returns
   * diagnostics as JSON, `onApply()` on Ctrl+Enter / Cmd+Enter.
   */
  open(element, text, onChange, lint, onApply) {
    const view = new EditorView({
      parent: element,
      state: EditorState.create({
        doc: text,
        extensions: [
          basicSetup,
          yaml(),
          EditorState.tabSize.of(2),
          // Above basicSetup's own Mod-Enter (insert a blank line).
          Prec.highest(keymap.of([{ key: 'Mod-Enter', preventDefault: true, run: () => (onApply(), true) }])),
          keymap.of([indentWithTab]),
          linter((v) => diagnostics(v, lint), { delay: 300 }),
          lintGutter(),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onChange(u.state.doc.toString());
          }),
          EditorView.contentAttributes.of({ 'aria-label': 'YAML editor' }),
        ],
      }),
    });
    // The editor on the page (tests and the browser console read its text from here).
    globalThis.HakoniwaEditor.current = view;
    return view;
  },
  destroy(view) {
    view.destroy();
  },
  focus(view) {
    view.focus();
  },
};
