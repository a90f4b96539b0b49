// The chart renders the CRDs from its own copy in helm/crdconv/files/crds/ (a chart can only read
// files inside itself). That copy must be exactly crds/, which the generator writes.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { chartCrdsDir, listFiles, repoCrdsDir } from './chart.js';

const FIX = 'run `npm run crds` to regenerate crds/ and copy it into the chart';

describe('helm: the chart carries the generated CRDs unchanged', () => {
  it('crds/ holds at least one CRD', () => {
    expect(listFiles(repoCrdsDir, '.yaml'), `crds/ has no *.yaml: ${FIX}`).to.not.be.empty;
  });

  it('helm/crdconv/files/crds/ holds the same file names as crds/', () => {
    const stray = existsSync(chartCrdsDir) ? readdirSync(chartCrdsDir).filter((name) => !name.endsWith('.yaml')) : [];
    expect(stray, 'files the chart would ignore (it reads files/crds/*.yaml only)').to.deep.equal([]);
    expect(listFiles(chartCrdsDir, '.yaml'), `the chart's CRD files differ from crds/: ${FIX}`).to.deep.equal(listFiles(repoCrdsDir, '.yaml'));
  });

  it('every CRD file in the chart equals its crds/ file byte for byte', () => {
    const drifted = listFiles(repoCrdsDir, '.yaml').filter((name) => {
      const inChart = path.join(chartCrdsDir, name);
      return !existsSync(inChart) || !readFileSync(inChart).equals(readFileSync(path.join(repoCrdsDir, name)));
    });
    expect(drifted, `helm/crdconv/files/crds/ differs from crds/ for these files: ${FIX}`).to.deep.equal([]);
  });
});
