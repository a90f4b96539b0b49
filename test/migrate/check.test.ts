import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { clientNodeCheckApi } from '../../src/migrate/check/checkApi.js';
import { hasProblems, type Finding } from '../../src/migrate/check/findings.js';
import { runCheck } from '../../src/migrate/check/runCheck.js';
import { FakeKubeApi, twoVersionCrd } from '../support/fakeKubeApi.js';

const CRD = 'crontabs.stable.example.com';
const PEM_CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n').toString('base64');

type Json = Record<string, any>;

/** The cluster's CRD: the fixture with a real-looking caBundle and x-kubernetes-* keys in a schema. */
const clusterCrd = (): Json => {
  const crd = twoVersionCrd() as Json;
  crd.spec.conversion.webhook.clientConfig.caBundle = PEM_CA;
  crd.spec.versions[1].schema.openAPIV3Schema.properties.extra = {
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
  };
  return crd;
};

/** The generated file: the same CRD as `crdconv crds` would write it (no status, no caBundle). */
const manifestOf = (crd: Json): Json => {
  const m = structuredClone(crd);
  delete m.status;
  delete m.spec.conversion.webhook.clientConfig.caBundle;
  return { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', ...m };
};

const messages = (findings: Finding[], level: Finding['level']) =>
  findings.filter((f) => f.level === level).map((f) => f.message);

describe('migrate: crdconv check against a fake apiserver', () => {
  let fake: FakeKubeApi;
  let dir: string;

  const setup = async (cluster: Json, manifest: Json | null = manifestOf(cluster)) => {
    fake = await FakeKubeApi.start(cluster);
    fake.addObject({ namespace: 'alpha', name: 'first', storedVersion: 'v1', fields: { hostPort: 'localhost:8080' } });
    if (manifest) writeFileSync(join(dir, `${CRD}.yaml`), stringify(manifest));
  };
  const check = (read = true) => runCheck(clientNodeCheckApi(fake.kubeConfig()), { crdName: CRD, crdsDir: dir, read });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'crdconv-check-'));
  });
  afterEach(async () => {
    await fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds no problem when the cluster matches crds/ and the webhook answers', async () => {
    await setup(clusterCrd());
    const findings = await check();

    expect(messages(findings, 'problem')).to.deep.equal([]);
    expect(hasProblems(findings)).to.equal(false);
    const oks = messages(findings, 'ok').join('\n');
    expect(oks).to.contain('schemas match').and.contain('caBundle present').and.contain('conversion settings match');
    expect(oks).to.contain('read alpha/first at v1').and.contain('read alpha/first at v2');
    // v1 is still in storedVersions and served: a warning that points at migrate.
    expect(messages(findings, 'warning').join('\n'))
      .to.contain('objects may still be stored in v1')
      .and.contain(`crdconv migrate --crd ${CRD}`);
    // One read per served version, limit=1, in that version.
    const lists = fake.requestsOf('objects', 'list');
    expect(lists.map((r) => [r.version, r.query.get('limit')])).to.deep.equal([
      ['v1', '1'],
      ['v2', '1'],
    ]);
  });

  it('reports drift in versions, flags, schema paths and conversion settings', async () => {
    const cluster = clusterCrd();
    const manifest = manifestOf(cluster);
    manifest.spec.versions[0].served = false;
    manifest.spec.versions[1].schema.openAPIV3Schema.properties.port = { type: 'integer' };
    manifest.spec.versions[1].schema.openAPIV3Schema.required = ['host'];
    manifest.spec.versions.push({
      name: 'v3',
      served: true,
      storage: false,
      schema: { openAPIV3Schema: { type: 'object' } },
    });
    manifest.spec.conversion.webhook.conversionReviewVersions = ['v1', 'v1beta1'];
    manifest.spec.conversion.webhook.clientConfig.service.path = '/convert/v2';
    manifest.spec.conversion.webhook.clientConfig.service.name = 'renamed';
    await setup(cluster, manifest);
    const problems = messages(await check(false), 'problem');

    expect(problems).to.include(
      `version v3 is in ${join(dir, `${CRD}.yaml`)} but not in the cluster: apply the generated CRD`,
    );
    expect(problems.some((p) => p.startsWith('v1: served is true in the cluster but false in'))).to.equal(true);
    expect(
      problems.some((p) =>
        p.startsWith('v2: the schema differs at .properties.port.type: "string" in the cluster, "integer" in'),
      ),
    ).to.equal(true);
    expect(
      problems.some((p) => p.startsWith('v2: the schema differs at .required: absent in the cluster, ["host"] in')),
    ).to.equal(true);
    expect(
      problems.some((p) => p.startsWith('conversionReviewVersions are [v1] in the cluster but [v1, v1beta1] in')),
    ).to.equal(true);
    expect(
      problems.some((p) => p.startsWith('the webhook path is /convert in the cluster but /convert/v2 in')),
    ).to.equal(true);
    expect(problems).to.have.length(6);
  });

  it('compares x-kubernetes-* schema keys as the apiserver sends them', async () => {
    const cluster = clusterCrd();
    const manifest = manifestOf(cluster);
    manifest.spec.versions[1].schema.openAPIV3Schema.properties.extra['x-kubernetes-preserve-unknown-fields'] = false;
    await setup(cluster, manifest);
    const problems = messages(await check(false), 'problem');
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(
      /^v2: the schema differs at \.properties\.extra\.x-kubernetes-preserve-unknown-fields: true in the cluster, false in/,
    );
  });

  it('reports a missing caBundle, and one that is not a certificate', async () => {
    const cluster = clusterCrd();
    delete cluster.spec.conversion.webhook.clientConfig.caBundle;
    await setup(cluster);
    expect(messages(await check(false), 'problem').join('\n')).to.contain(
      'no caBundle in spec.conversion.webhook.clientConfig',
    );
    await fake.stop();

    const garbled = clusterCrd();
    garbled.spec.conversion.webhook.clientConfig.caBundle = Buffer.from('not a certificate').toString('base64');
    await setup(garbled);
    expect(messages(await check(false), 'problem')).to.deep.equal([
      'the caBundle does not decode to a PEM certificate (it must be base64 of the PEM CA)',
    ]);
  });

  it('reports stored versions that are no longer served', async () => {
    const cluster = clusterCrd();
    cluster.spec.versions[0].served = false;
    await setup(cluster);
    const problems = messages(await check(), 'problem');
    expect(problems).to.include(
      `status.storedVersions lists v1, which is no longer served: objects may still be stored in v1; run crdconv migrate --crd ${CRD}`,
    );
    // Only v2 is served, so only v2 is read.
    expect(fake.requestsOf('objects', 'list').map((r) => r.version)).to.deep.equal(['v2']);
  });

  it('names the version and quotes the apiserver when a read fails', async () => {
    await setup(clusterCrd());
    fake.conversionFailure = (_obj, from, to) =>
      to === 'v2'
        ? `Post "https://crdconv.crdconv-system.svc:443/convert?timeout=30s": x509: certificate signed by unknown authority (from ${from})`
        : undefined;
    const findings = await check();
    const problems = messages(findings, 'problem');

    expect(problems).to.have.length(1);
    expect(problems[0]).to.equal(
      'reading crontabs.stable.example.com at v2 failed: HTTP 500 InternalError: conversion webhook for stable.example.com/v1, Kind=CronTab failed: ' +
        'Post "https://crdconv.crdconv-system.svc:443/convert?timeout=30s": x509: certificate signed by unknown authority (from v1)',
    );
    expect(messages(findings, 'ok')).to.include('read alpha/first at v1 through the apiserver');
  });

  it('warns when there is no object to read', async () => {
    await setup(clusterCrd());
    fake.deleteObject('alpha/first');
    const findings = await check();
    expect(hasProblems(findings)).to.equal(false);
    expect(messages(findings, 'warning').join('\n')).to.contain('no crontabs.stable.example.com objects exist');
  });

  it('reports a missing generated file, and a CRD missing from the cluster', async () => {
    await setup(clusterCrd(), null);
    expect(messages(await check(false), 'problem')).to.deep.equal([
      `no generated CRD named ${CRD} in ${dir}/: run npm run crds (or pass --crds-dir)`,
    ]);

    const missing = await runCheck(clientNodeCheckApi(fake.kubeConfig()), {
      crdName: 'nothere.example.com',
      crdsDir: dir,
      read: true,
    });
    expect(missing).to.have.length(1);
    expect(missing[0]!.message)
      .to.contain('reading CustomResourceDefinition nothere.example.com failed: HTTP 404 NotFound')
      .and.contain('apply');
  });

  it('finds the CRD in another file of crds/ when it is not named after the CRD', async () => {
    const cluster = clusterCrd();
    await setup(cluster, null);
    writeFileSync(
      join(dir, 'all.yml'),
      `${stringify({ kind: 'Namespace', metadata: { name: 'x' } })}---\n${stringify(manifestOf(cluster))}`,
    );
    const findings = await check(false);
    expect(messages(findings, 'problem')).to.deep.equal([]);
    expect(messages(findings, 'ok').join('\n')).to.contain('all.yml');
  });
});
