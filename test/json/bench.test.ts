import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

describe('bench/json.ts (smoke run, tiny sizes: it works, nothing is timed)', () => {
  it('prints the table for both documents after checking the round trip', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'bench/json.ts', '--mb', '0.05', '--runs', '1'],
      { timeout: 20_000 },
    );
    const lines = stdout.trim().split('\n');
    expect(lines[0]).to.match(/^JSON micro-benchmark/);
    expect(lines.filter((l) => /^plain /.test(l))).to.have.length(3);
    expect(lines.filter((l) => /^1% int64 /.test(l))).to.have.length(3);
    for (const l of lines.slice(2)) expect(l).to.match(/\d+(\.\d+)?x\s*$/);
  });
});
