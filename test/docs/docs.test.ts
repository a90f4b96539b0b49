import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command, Option } from 'commander';
import { buildProgram } from '../../src/cli/main.js';

// The README is the front door and docs/ the reference: these tests keep both true to the code.

const root = resolve(import.meta.dirname, '../..');
const markdownFiles = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  'helm/crdconv/README.md',
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');

const anchorsOf = (text: string) =>
  new Set(
    text
      .split('\n')
      .filter((line) => /^#{1,6} /.test(line))
      .map((line) => slug(line.replace(/^#+ /, ''))),
  );

/** Rows of the first markdown table whose header row starts with `firstHeader`. */
function tableRows(text: string, firstHeader: string): string[][] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${firstHeader} |`));
  if (start < 0) throw new Error(`no table headed "${firstHeader}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

const longFlag = (o: Option) => o.long!;

describe('documentation', () => {
  describe('links', () => {
    for (const file of markdownFiles) {
      it(`${file}: every relative link points at a file and heading that exist`, () => {
        const text = readFileSync(join(root, file), 'utf8');
        const broken: string[] = [];
        for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
          if (/^[a-z]+:/.test(target!)) continue; // https:, mailto:
          const [path, anchor] = target!.split('#') as [string, string | undefined];
          const file2 = path === '' ? join(root, file) : resolve(dirname(join(root, file)), path);
          if (!existsSync(file2)) {
            broken.push(`${target}: no such file`);
            continue;
          }
          if (anchor && file2.endsWith('.md') && !anchorsOf(readFileSync(file2, 'utf8')).has(anchor))
            broken.push(`${target}: no such heading`);
        }
        expect(broken, `broken links in ${file}`).to.deep.equal([]);
      });
    }
  });

  describe('the README front door', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');

    it('shows the two commands that serve and test', () => {
      expect(readme).to.include('npm ci && npm start');
      expect(readme).to.include('npm ci && npm test');
    });

    it('stays a front door, not a manual', () => {
      expect(readme.split('\n').length, 'README.md lines').to.be.at.most(150);
    });

    it('lists every crdconv command, and only those', async () => {
      const program = await buildProgram();
      const documented = tableRows(readme, 'command').map((row) => row[0]!.replace(/`/g, '').replace(/^crdconv /, ''));
      expect(documented).to.have.members(program.commands.map((c) => c.name()));
    });
  });

  describe('the serve flag table in docs/operations.md', () => {
    const operations = readFileSync(join(root, 'docs/operations.md'), 'utf8');
    let serve: Command;
    before(async () => {
      serve = (await buildProgram('serve')).commands.find((c) => c.name() === 'serve')!;
    });
    const rows = () =>
      tableRows(operations, 'flag').map((row) => ({
        flag: row[0]!.replace(/`/g, '').split(' ')[0]!,
        env: row[1]!.replace(/`/g, ''),
      }));

    it('documents exactly the flags of `crdconv serve --help`', () => {
      const options = serve.options.filter((o) => o.long !== '--help');
      expect(
        rows().map((r) => r.flag),
        'flags in the table',
      ).to.have.members(options.map(longFlag));
    });

    it('names the environment variable each flag reads', () => {
      const envOf = new Map(serve.options.map((o) => [longFlag(o), o.envVar ?? '']));
      for (const row of rows()) expect(row.env, `environment variable of ${row.flag}`).to.equal(envOf.get(row.flag));
    });
  });
});
