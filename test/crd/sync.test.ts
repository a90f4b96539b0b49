import { expect } from 'chai';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crdFileName, generateCrdFiles } from '../../src/crd/files.js';
import { GENERATED_MARKER } from '../../src/crd/render.js';
import { diffCrdDir, isClean, syncCrdDir } from '../../src/crd/sync.js';
import { fixtureKinds, gadget, widget } from './fixtures.js';

describe('CRD files on disk', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crdconv-sync-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names each file <plural>.<group>.yaml and refuses two kinds with one name', () => {
    expect([...generateCrdFiles(fixtureKinds).keys()]).to.deep.equal([
      'widgets.example.com.yaml',
      'gadgets.tools.example.org.yaml',
      'rooteds.stable.example.com.yaml',
    ]);
    expect(() => generateCrdFiles([widget, widget])).to.throw(/two kinds make the same CRD widgets.example.com/);
  });

  it('writes every file into a directory it creates, then finds nothing to do', async () => {
    const target = join(dir, 'a', 'b');
    const files = generateCrdFiles(fixtureKinds);
    const first = await syncCrdDir(target, files);
    expect(first.missing).to.have.length(3);
    for (const [name, content] of files) expect(await readFile(join(target, name), 'utf8')).to.equal(content);
    const second = await syncCrdDir(target, files);
    expect(isClean(second)).to.equal(true);
    expect(second.unchanged).to.have.length(3);
  });

  it('rewrites changed files and leaves unchanged ones untouched', async () => {
    const files = generateCrdFiles(fixtureKinds);
    await syncCrdDir(dir, files);
    const edited = join(dir, crdFileName(widget));
    const untouched = join(dir, crdFileName(gadget));
    await writeFile(edited, `${files.get(crdFileName(widget))!}# hand edit\n`);
    const before = (await stat(untouched)).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const diff = await syncCrdDir(dir, files);
    expect(diff.changed).to.deep.equal([crdFileName(widget)]);
    expect(await readFile(edited, 'utf8')).to.equal(files.get(crdFileName(widget)));
    expect((await stat(untouched)).mtimeMs).to.equal(before);
  });

  it('removes generated files of kinds that are gone, and never files it did not write', async () => {
    await syncCrdDir(dir, generateCrdFiles(fixtureKinds));
    await writeFile(join(dir, 'mine.yaml'), 'apiVersion: v1\nkind: ConfigMap\n');
    await writeFile(join(dir, 'README.md'), `${GENERATED_MARKER}\n`);
    const diff = await syncCrdDir(dir, generateCrdFiles([widget]));
    expect(diff.stale).to.deep.equal([crdFileName(gadget), 'rooteds.stable.example.com.yaml'].sort());
    expect((await readdir(dir)).sort()).to.deep.equal(['README.md', 'mine.yaml', crdFileName(widget)].sort());
  });

  it('reports missing, changed and stale files without touching anything', async () => {
    const files = generateCrdFiles(fixtureKinds);
    await syncCrdDir(dir, generateCrdFiles([gadget]));
    const stale = generateCrdFiles([{ ...gadget, plural: 'oldgadgets' }]);
    await syncCrdDir(dir, new Map([...generateCrdFiles([gadget]), ...stale]));
    await writeFile(join(dir, crdFileName(gadget)), `${GENERATED_MARKER}\nchanged\n`);
    const listing = (await readdir(dir)).sort();
    const diff = await diffCrdDir(dir, files);
    expect(diff).to.deep.equal({
      missing: ['widgets.example.com.yaml', 'rooteds.stable.example.com.yaml'],
      changed: ['gadgets.tools.example.org.yaml'],
      stale: ['oldgadgets.tools.example.org.yaml'],
      unchanged: [],
    });
    expect(isClean(diff)).to.equal(false);
    expect((await readdir(dir)).sort()).to.deep.equal(listing);
  });

  it('sees a directory that does not exist as one missing every file', async () => {
    const diff = await diffCrdDir(join(dir, 'nowhere'), generateCrdFiles([widget]));
    expect(diff.missing).to.deep.equal([crdFileName(widget)]);
  });
});
