import { expect } from 'chai';
import * as t from 'io-ts';
import { buildCrd } from '../../src/crd/build.js';
import { defaultWebhookService } from '../../src/crd/service.js';
import { defineKind, version, type Kind } from '../../src/kinds/defineKind.js';
import { gadget, rooted, widget } from './fixtures.js';

const single = (codec: t.Mixed, extra: Partial<Kind> = {}): Kind =>
  defineKind({
    group: 'g.example.com',
    kind: 'Thing',
    plural: 'things',
    scope: 'Namespaced',
    versions: [version('v1', codec, { storage: true })],
    converters: [],
    ...extra,
  });

describe('buildCrd', () => {
  it('names the CRD <plural>.<group> and carries group and scope', () => {
    const crd = buildCrd(gadget);
    expect(crd.apiVersion).to.equal('apiextensions.k8s.io/v1');
    expect(crd.kind).to.equal('CustomResourceDefinition');
    expect(crd.metadata).to.deep.equal({ name: 'gadgets.tools.example.org' });
    expect(crd.spec.group).to.equal('tools.example.org');
    expect(crd.spec.scope).to.equal('Cluster');
  });

  it('defaults singular to the lower-case kind and listKind to <Kind>List', () => {
    expect(buildCrd(widget).spec.names).to.deep.equal({
      kind: 'Widget',
      plural: 'widgets',
      singular: 'widget',
      listKind: 'WidgetList',
      shortNames: ['wd'],
      categories: ['all', 'toys'],
    });
  });

  it('keeps singular and listKind when the kind gives them, and omits empty lists', () => {
    expect(buildCrd(gadget).spec.names).to.deep.equal({
      kind: 'Gadget',
      plural: 'gadgets',
      singular: 'thing',
      listKind: 'Gadgets',
    });
  });

  it('lists every version in declared order with its flags', () => {
    const versions = buildCrd(widget).spec.versions;
    expect(versions.map((v) => [v.name, v.served, v.storage, v.deprecated ?? false])).to.deep.equal([
      ['v1beta1', false, false, true],
      ['v1', true, true, false],
    ]);
    expect(versions[0]!.deprecationWarning).to.equal('example.com/v1beta1 Widget is gone; use v1');
    expect(versions[1]).not.to.have.property('deprecationWarning');
  });

  it('carries printer columns as declared', () => {
    const versions = buildCrd(widget).spec.versions;
    expect(versions[1]!.additionalPrinterColumns).to.deep.equal([
      { name: 'Size', type: 'integer', jsonPath: '.spec.size', description: 'How big' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', priority: 1 },
    ]);
    expect(versions[0]).not.to.have.property('additionalPrinterColumns');
  });

  it('puts apiVersion, kind and metadata next to the body fields at the root', () => {
    const schema = buildCrd(widget).spec.versions[1]!.schema!.openAPIV3Schema!;
    expect(schema.type).to.equal('object');
    expect(Object.keys(schema.properties!)).to.deep.equal(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    expect(schema.properties!.apiVersion).to.deep.equal({ type: 'string' });
    expect(schema.properties!.kind).to.deep.equal({ type: 'string' });
    expect(schema.properties!.metadata).to.deep.equal({ type: 'object' });
    expect(schema.required).to.deep.equal(['spec', 'status']);
    expect(schema.properties!.spec!.required).to.deep.equal(['size']);
  });

  it('keeps fields declared at the object root, as in the Kubernetes e2e example', () => {
    const schema = buildCrd(rooted).spec.versions[0]!.schema!.openAPIV3Schema!;
    expect(schema.properties!.hostPort).to.deep.equal({ type: 'string' });
    expect(schema.required).to.deep.equal(['hostPort']);
  });

  it('turns the status subresource on for versions with a status field unless the kind says otherwise', () => {
    const [v1beta1, v1] = buildCrd(widget).spec.versions;
    expect(v1!.subresources).to.deep.equal({ status: {} });
    expect(v1beta1).not.to.have.property('subresources');
    expect(buildCrd(gadget).spec.versions[0]).not.to.have.property('subresources');
    expect(buildCrd(rooted).spec.versions[0]!.subresources).to.deep.equal({ status: {} });
  });

  it('converts through the webhook service, by default crdconv in crdconv-system at /convert:443', () => {
    const spec = buildCrd(widget).spec;
    expect(spec.conversion).to.deep.equal({
      strategy: 'Webhook',
      webhook: {
        conversionReviewVersions: ['v1', 'v1beta1'],
        clientConfig: { service: { name: 'crdconv', namespace: 'crdconv-system', path: '/convert', port: 443 } },
      },
    });
    expect(spec.preserveUnknownFields).to.equal(undefined);
  });

  it('takes the service coordinates as options and rejects ones the apiserver would not', () => {
    const service = { name: 'conv', namespace: 'tools', path: '/crd/convert', port: 8443 };
    expect(buildCrd(widget, service).spec.conversion!.webhook!.clientConfig!.service).to.deep.equal(service);
    expect(() => buildCrd(widget, { ...defaultWebhookService, port: 0 })).to.throw(/port 0/);
    expect(() => buildCrd(widget, { ...defaultWebhookService, path: 'convert' })).to.throw(/must start with \//);
    expect(() => buildCrd(widget, { ...defaultWebhookService, name: 'Bad_Name' })).to.throw(/DNS-1035/);
  });

  it('rejects a codec that declares apiVersion, kind or metadata', () => {
    expect(() => buildCrd(single(t.type({ metadata: t.UnknownRecord })))).to.throw(/must not declare metadata/);
    expect(() => buildCrd(single(t.partial({ kind: t.string })))).to.throw(/must not declare kind/);
  });

  it('rejects a codec that is not an object with fields', () => {
    expect(() => buildCrd(single(t.string))).to.throw(/Thing v1: the codec must describe an object/);
    expect(() => buildCrd(single(t.record(t.string, t.string)))).to.throw(/must describe an object/);
  });

  it('rejects a kind without exactly one storage version', () => {
    const none = single(t.type({}), { versions: [version('v1', t.type({}))] });
    expect(() => buildCrd(none)).to.throw(
      /things.g.example.com: exactly one version must be the storage version, found 0/,
    );
  });

  it('passes schema errors on with the place they come from', () => {
    expect(() => buildCrd(single(t.type({ spec: t.type({ x: t.union([t.string, t.number]) }) })))).to.throw(
      /at spec\.x/,
    );
  });
});
