// The validator the rendering tests rely on must itself catch what it claims to catch.
import { expect } from 'chai';
import type { Manifest } from './chart.js';
import { clientNodeTypeName, unknownFields, validateManifest } from './kubernetes-schema.js';

const deployment = (container: Record<string, unknown>, replicas: unknown = 2): Manifest => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd' },
  spec: {
    replicas: replicas as number,
    selector: { matchLabels: { app: 'd' } },
    template: { metadata: { labels: { app: 'd' } }, spec: { containers: [container as Manifest] } },
  },
});

describe('helm: Kubernetes schema validation of rendered objects', () => {
  it('accepts a well-formed Deployment and checks it strictly', async () => {
    const report = await validateManifest(deployment({ name: 'c', image: 'i', ports: [{ name: 'web', containerPort: 80 }] }));
    expect(report.problems).to.deep.equal([]);
    expect(report.strict).to.equal(true);
  });

  it('reports a misspelled field with its path', async () => {
    const report = await validateManifest(deployment({ name: 'c', image: 'i', readinesProbe: {} }));
    expect(report.problems).to.deep.equal(['unknown field .spec.template.spec.containers[0].readinesProbe']);
  });

  it('reports a mistyped field', async () => {
    const report = await validateManifest(deployment({ name: 'c', image: 'i' }, 'two'));
    expect(report.problems.join('\n')).to.match(/replicas must be integer/);
  });

  it('walks maps and lists of typed values', () => {
    const crd = {
      spec: {
        versions: [{ name: 'v1', schema: { openAPIV3Schema: { type: 'object', properties: { a: { type: 'string', maxlength: 3 } } } } }],
      },
    };
    expect(unknownFields(crd, 'V1CustomResourceDefinition')).to.deep.equal([
      '.spec.versions[0].schema.openAPIV3Schema.properties["a"].maxlength',
    ]);
  });

  it('validates cert-manager objects by their schema', async () => {
    const certificate: Manifest = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'c' },
      spec: { secretName: 's', issuerRef: { name: 'i' }, dnsNames: 'a.b.svc' },
    };
    const report = await validateManifest(certificate);
    expect(report.problems.join('\n')).to.match(/dnsNames must be array/);
    expect(report.strict).to.equal(false);
    expect(clientNodeTypeName('cert-manager.io/v1', 'Certificate')).to.equal(undefined);
  });

  it('refuses a kind it has no schema for instead of passing it', async () => {
    const unknown: Manifest = { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' } };
    let message = '';
    await validateManifest(unknown).catch((err: Error) => {
      message = err.message;
    });
    expect(message).to.match(/no schema known for example.com\/v1 Gadget/);
  });
});
