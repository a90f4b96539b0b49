// Checks of the chart that need no helm binary: template syntax that helm would reject, values
// that templates read but values.yaml lacks (they would render as empty), and settings in
// values.yaml that no template reads (they would do nothing).
import path from 'node:path';
import { expect } from 'chai';
import { allPaths, leafPaths, listFiles, loadValues, readText, templatesDir } from './chart.js';

interface Action {
  text: string;
  line: number;
}

/**
 * Where the action opened at `open` ends (the index of its "}}"), skipping string literals, in
 * which delimiters are text (`{{ "{{" }}`, or a raw string holding an alert template); -1 when it
 * never ends. Throws on a "{{" inside the action.
 */
function actionEnd(source: string, open: number, lineAt: (offset: number) => number): number {
  for (let i = open + 2; i < source.length; i++) {
    const c = source[i];
    if (c === '`') {
      i = source.indexOf('`', i + 1);
      if (i === -1) return -1;
    } else if (c === '"') {
      for (i++; i < source.length && source[i] !== '"'; i++) if (source[i] === '\\') i++;
    } else if (source.startsWith('}}', i)) {
      return i;
    } else if (source.startsWith('{{', i)) {
      throw new Error(`line ${lineAt(i)}: "{{" inside an action opened on line ${lineAt(open)}`);
    }
  }
  return -1;
}

/** The {{ ... }} actions of a template, in order; throws on an unclosed or stray delimiter. */
function actionsOf(source: string): Action[] {
  const actions: Action[] = [];
  let position = 0;
  for (;;) {
    const open = source.indexOf('{{', position);
    const close = source.indexOf('}}', position);
    if (open === -1 && close === -1) return actions;
    const lineAt = (offset: number) => source.slice(0, offset).split('\n').length;
    if (open === -1 || (close !== -1 && close < open)) throw new Error(`line ${lineAt(close)}: "}}" without "{{"`);
    const end = actionEnd(source, open, lineAt);
    if (end === -1) throw new Error(`line ${lineAt(open)}: "{{" is never closed`);
    actions.push({ text: source.slice(open + 2, end).replace(/^-\s*/, '').replace(/\s*-$/, '').trim(), line: lineAt(open) });
    position = end + 2;
  }
}

/** Throws unless every if/range/with/define/block is closed by its own end. */
function checkBlocks(actions: Action[]): void {
  const open: Action[] = [];
  for (const action of actions) {
    if (action.text.startsWith('/*')) continue;
    const keyword = /^(\w+)/.exec(action.text)?.[1];
    if (keyword === 'if' || keyword === 'range' || keyword === 'with' || keyword === 'define' || keyword === 'block') open.push(action);
    else if (keyword === 'else' && open.length === 0) throw new Error(`line ${action.line}: else outside a block`);
    else if (keyword === 'end' && open.pop() === undefined) throw new Error(`line ${action.line}: end without a block`);
  }
  const unclosed = open.pop();
  if (unclosed) throw new Error(`line ${unclosed.line}: "${unclosed.text}" is never ended`);
}

/** Dotted paths read as .Values.a.b (or $.Values.a.b) in a template. */
function valuesReferences(source: string): string[] {
  return [...source.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)].map((m) => (m[1] as string).slice(1));
}

const templateFiles = listFiles(templatesDir, '').filter((name) => /\.(yaml|tpl|txt)$/.test(name));
const sources = templateFiles.map((name) => ({ name, source: readText(path.join(templatesDir, name)) }));

describe('helm: templates, checked without helm', () => {
  it('finds the templates', () => {
    expect(templateFiles).to.include.members(['_helpers.tpl', 'deployment.yaml', 'service.yaml', 'crds.yaml']);
  });

  describe('the checkers catch what they look for', () => {
    it('an unclosed delimiter', () => {
      expect(() => actionsOf('a: {{ .Values.x }\nb: 1')).to.throw(/line 1: "\{\{" is never closed/);
    });
    it('a delimiter inside an action', () => {
      expect(() => actionsOf('a: {{ .Values.x {{ .Values.y }}')).to.throw(/"\{\{" inside an action opened on line 1/);
    });
    it('delimiters inside string literals are text', () => {
      expect(actionsOf('a: {{ "}}" }} b: {{`{{ $labels.kind }}`}} c: {{ .x }}').map((a) => a.text)).to.deep.equal(['"}}"', '`{{ $labels.kind }}`', '.x']);
    });
    it('a stray closing delimiter', () => {
      expect(() => actionsOf('a: 1 }}')).to.throw(/"\}\}" without "\{\{"/);
    });
    it('a block without end', () => {
      expect(() => checkBlocks(actionsOf('{{- if .a }}\n{{ range .b }}{{ end }}'))).to.throw(/line 1: "if .a" is never ended/);
    });
    it('a values reference', () => {
      expect(valuesReferences('{{ .Values.a.b_c | quote }} {{ $.Values.d }}')).to.deep.equal(['a.b_c', 'd']);
    });
  });

  for (const { name, source } of sources) {
    it(`${name}: delimiters balance and blocks are ended`, () => {
      checkBlocks(actionsOf(source));
    });
  }

  it('every .Values path a template reads exists in values.yaml', () => {
    const known = new Set(allPaths(loadValues()));
    const missing = sources.flatMap(({ name, source }) =>
      valuesReferences(source).filter((ref) => !known.has(ref)).map((ref) => `${name}: .Values.${ref}`),
    );
    expect(missing).to.deep.equal([]);
  });

  it('every setting in values.yaml is read by some template', () => {
    const read = new Set(sources.flatMap(({ source }) => valuesReferences(source)));
    const isRead = (leaf: string) => leaf.split('.').some((_, i, parts) => read.has(parts.slice(0, i + 1).join('.')));
    expect(leafPaths(loadValues()).filter((leaf) => !isRead(leaf))).to.deep.equal([]);
  });
});
