import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { kinds } from '../../converters/index.js';
import { generateCrdFiles } from '../../src/crd/files.js';
import { diffCrdDir } from '../../src/crd/sync.js';

/** The directories `npm run crds` writes, checked in on purpose (the Helm chart keeps a copy). */
const GENERATED_DIRS = ['crds', 'helm/crdconv/files/crds'];

const repoPath = (dir: string) => fileURLToPath(new URL(`../../${dir}/`, import.meta.url));

describe('the checked-in CRD files', () => {
  const files = generateCrdFiles(kinds);

  for (const dir of GENERATED_DIRS) {
    it(`${dir}/ holds, byte for byte, what the codecs generate now`, async () => {
      const diff = await diffCrdDir(repoPath(dir), files);
      const problems = [
        ...diff.missing.map((n) => `missing ${dir}/${n}`),
        ...diff.changed.map((n) => `differs ${dir}/${n}`),
        ...diff.stale.map((n) => `stale   ${dir}/${n} (its kind is gone)`),
      ];
      expect(
        problems,
        `${dir}/ is out of date: run \`npm run crds\` and commit the result\n  ${problems.join('\n  ')}\n`,
      ).to.deep.equal([]);
      expect(diff.unchanged).to.have.length(files.size);
    });
  }
});
