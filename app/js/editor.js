// The YAML editor's glue: CodeMirror 6 (from npm, bundled by esbuild, loaded only when the
// editor is first opened) under a small global the Rust app calls. What counts as a mistake
// is decided in Rust (hakoniwa-core's manifest checks), called back through `lint`.
import { EditorView, basicSetup } from 'codemirror';
import { EditorState, Prec } from '@codemirror/state';
import { keymap, hoverTooltip } from '@codemirror/view';
import { indentWithTab } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import { linter, lintGutter } from '@codemirror/lint';
import { autocompletion } from '@codemirror/autocomplete';

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

/** Field names where the cursor is, from Rust (`fields(text, line, column)` as JSON
 * `[{name, type, required}]`, line from 0, column in bytes). Only where a key is being typed. */
function completions(fields) {
  return (context) => {
    const line = context.state.doc.lineAt(context.pos);
    const before = line.text.slice(0, context.pos - line.from);
    if (!/^\s*(- )?[\w-]*$/.test(before)) return null;
    const word = context.matchBefore(/[\w-]*/);
    if (word.from === word.to && !context.explicit) return null;
    let items = [];
    try {
      items = JSON.parse(fields(context.state.doc.toString(), line.number - 1, new TextEncoder().encode(before).length));
    } catch {
      return null;
    }
    if (!items.length) return null;
    return {
      from: word.from,
      validFor: /^[\w-]*$/,
      options: items.map((f) => ({ label: f.name, type: 'property', detail: f.required ? `${f.type} (required)` : f.type, apply: `${f.name}: `, boost: f.required ? 1 : 0 })),
    };
  };
}

/** What the key under the pointer is (`hover(text, line)` as JSON `{path, type, required}`). */
function fieldTooltip(hover) {
  return hoverTooltip((view, pos) => {
    const line = view.state.doc.lineAt(pos);
    const colon = line.text.indexOf(':');
    if (colon < 0 || pos - line.from > colon) return null;
    let info = null;
    try {
      info = JSON.parse(hover(view.state.doc.toString(), line.number - 1));
    } catch {
      return null;
    }
    if (!info) return null;
    return {
      pos: line.from + line.text.length - line.text.trimStart().length,
      end: line.from + colon,
      above: true,
      create: () => {
        const dom = document.createElement('div');
        dom.className = 'cm-field-info';
        dom.textContent = `${info.path}: ${info.type}${info.required ? ' (required)' : ''}`;
        return { dom };
      },
    };
  });
}

globalThis.HakoniwaEditor = {
  /**
   * Opens an editor in `element` with `text`. `onChange(text)` after edits, `lint(text)` returns
   * diagnostics as JSON, `onApply()` on Ctrl+Enter / Cmd+Enter; `fields` and `hover` answer
   * what the schema allows and what a key is (see above).
   */
  open(element, text, onChange, lint, onApply, fields, hover) {
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
          autocompletion({ override: [completions(fields)] }),
          fieldTooltip(hover),
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
