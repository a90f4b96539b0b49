// The chart's metadata, its README, the image's Dockerfile, and their agreement with the service:
// checks that need no helm and no docker engine.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Command } from 'commander';
import { chartDir, dockerfile, isObject, leafPaths, loadValues, readJsonFile, readText, readYamlFile, repoRoot, templatesDir } from './chart.js';

const packageJson = readJsonFile(path.join(repoRoot, 'package.json')) as { version: string; bin: Record<string, string>; scripts: Record<string, string> };

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Dockerfile instructions grouped by stage (continuation lines joined, comments dropped). */
function dockerStages(text: string): { args: Map<string, string>; stages: Stage[] } {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword = '', rest = ''] = /^(\w+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: rest };
    if (instruction.keyword === 'FROM') {
      const [, from = '', name] = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(rest) ?? [];
      stages.push({ from, name, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [, key = '', value = ''] = /^(\w+)=?(.*)$/.exec(rest) ?? [];
      args.set(key, value);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { args, stages };
}

/** Whether a .dockerignore lets a path into the build context (last matching rule wins). */
function dockerignoreAdmits(rules: string[], file: string): boolean {
  let admitted = true;
  for (const rule of rules) {
    const negated = rule.startsWith('!');
    const pattern = (negated ? rule.slice(1) : rule).replace(/\/$/, '');
    const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}(/.*)?$`);
    if (regex.test(file)) admitted = negated;
  }
  return admitted;
}

describe('helm: chart metadata', () => {
  const chart = readYamlFile(path.join(chartDir, 'Chart.yaml')) as Record<string, unknown>;

  it('is a Helm 3 application chart named after its folder', () => {
    expect(chart['apiVersion']).to.equal('v2');
    expect(chart['type']).to.equal('application');
    expect(chart['name']).to.equal(path.basename(chartDir));
    expect(String(chart['version'])).to.match(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
    expect(chart['description']).to.be.a('string').and.not.empty;
    expect(chart['kubeVersion']).to.be.a('string');
  });

  it('runs the version of crdconv this repository builds (appVersion = package.json version)', () => {
    expect(chart['appVersion']).to.equal(packageJson.version);
  });

  it('lists every value of values.yaml in its README', () => {
    const readme = readText(path.join(chartDir, 'README.md'));
    const missing = leafPaths(loadValues()).filter((key) => !readme.includes(`| \`${key}\` |`));
    expect(missing, 'values without a row in the README table').to.deep.equal([]);
  });
});

describe('helm: the Dockerfile', () => {
  const text = readText(dockerfile);
  const { args, stages } = dockerStages(text);
  const runtime = stages.at(-1) as Stage;
  const instructions = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);

  it('is a multi-stage build whose runtime stage copies from the others', () => {
    expect(stages.length).to.be.at.least(2);
    const copiesFrom = instructions(runtime, 'COPY').map((i) => /--from=(\S+)/.exec(i.args)?.[1]).filter(Boolean);
    expect(copiesFrom, 'COPY --from in the final stage').to.not.be.empty;
    for (const from of copiesFrom) expect(stages.slice(0, -1).map((s) => s.name)).to.include(from);
  });

  it('runs as a numeric non-root user', () => {
    const user = instructions(runtime, 'USER').at(-1)?.args;
    expect(user, 'USER in the final stage').to.be.a('string');
    const [uid] = (user as string).split(':');
    expect(uid).to.match(/^\d+$/, 'numeric, so the kubelet can check runAsNonRoot');
    expect(Number(uid)).to.be.greaterThan(0);
    const values = loadValues();
    const pod = values['podSecurityContext'];
    expect(isObject(pod) && pod['runAsUser']).to.equal(Number(uid), "the chart's runAsUser");
  });

  it('uses a current Node.js LTS base image', () => {
    const base = args.get('NODE_IMAGE') ?? stages[0]?.from ?? '';
    const major = Number(/^node:(\d+)/.exec(base)?.[1]);
    expect(major % 2, `${base}: LTS lines are even`).to.equal(0);
    expect(major, `${base}: Node 20 left LTS in April 2026`).to.be.at.least(22);
    for (const stage of stages) expect([base, '${NODE_IMAGE}']).to.include(stage.from);
  });

  it('installs only production dependencies into the runtime image', () => {
    const prodStage = stages.find((s) => instructions(s, 'RUN').some((i) => /npm ci\b.*--omit=dev/.test(i.args)));
    expect(prodStage, 'a stage running npm ci --omit=dev').to.not.equal(undefined);
    expect(instructions(runtime, 'COPY').some((i) => i.args.includes(`--from=${prodStage?.name}`) && i.args.includes('node_modules'))).to.equal(true);
    expect(instructions(runtime, 'RUN').filter((i) => /npm (ci|install)/.test(i.args))).to.deep.equal([]);
  });

  it('starts the compiled CLI that `npm run build` writes and package.json names', () => {
    const entry = `${instructions(runtime, 'ENTRYPOINT').at(-1)?.args ?? ''} ${instructions(runtime, 'CMD').at(-1)?.args ?? ''}`;
    expect(entry).to.include(packageJson.bin['crdconv']);
    expect(entry).to.match(/"serve"/);
    const build = readJsonFile(path.join(repoRoot, 'tsconfig.build.json')) as { include: string[] };
    expect(packageJson.scripts['build']).to.include('tsconfig.build.json');
    for (const dir of build.include) expect(text, `the build stage copies ${dir}/`).to.match(new RegExp(`COPY ${dir} `));
  });

  it('copies only files that exist and that its .dockerignore lets in, and keeps secrets and build output out', () => {
    const rules = readText(`${dockerfile}.dockerignore`).split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    const sources = stages
      .flatMap((s) => instructions(s, 'COPY'))
      .filter((i) => !i.args.includes('--from='))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources).to.not.be.empty;
    for (const source of sources) {
      expect(existsSync(path.join(repoRoot, source)), `${source} exists`).to.equal(true);
      expect(dockerignoreAdmits(rules, source), `${source} is in the build context`).to.equal(true);
    }
    for (const kept of ['node_modules', 'dist', '.git', '.dev-certs', 'test', 'helm']) {
      expect(dockerignoreAdmits(rules, kept), `${kept} stays out of the build context`).to.equal(false);
    }
  });
});

describe('helm: the Deployment and the service agree', () => {
  it('passes only flags that `crdconv serve` accepts', async function () {
    // Importing the CLI loads the whole service; give it the time a cold tsx compile takes.
    this.timeout(60_000);
    const { buildProgram } = (await import('../../src/cli/main.js')) as { buildProgram: () => Promise<Command> };
    const serve = (await buildProgram()).commands.find((c) => c.name() === 'serve');
    expect(serve, 'the serve command').to.not.equal(undefined);
    const accepted = new Set(serve?.options.map((o) => o.long));
    const deployment = readText(path.join(templatesDir, 'deployment.yaml'));
    const passed = [...deployment.matchAll(/^\s*- (--[a-z-]+)=/gm)].map((m) => m[1]);
    expect(passed).to.include.members(['--port', '--cert-dir', '--health-probe-bind-address', '--metrics-bind-address']);
    expect(passed.filter((flag) => !accepted.has(flag)), 'flags crdconv serve does not know').to.deep.equal([]);
  });
});
