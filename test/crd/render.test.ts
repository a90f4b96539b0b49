import { expect } from 'chai';
import { parse } from 'yaml';
import { buildCrd } from '../../src/crd/build.js';
import { GENERATED_MARKER, isGenerated, renderCrd } from '../../src/crd/render.js';
import { toWire } from '../../src/crd/wire.js';
import { QUANTITY_PATTERN } from '../../src/model/index.js';
import { widget } from './fixtures.js';

describe('toWire', () => {
  it('uses the JSON names of schema fields, at every depth', () => {
    const wire = toWire(
      {
        type: 'object',
        properties: {
          list: { type: 'array', items: { type: 'string', _enum: ['a'] } },
          map: { type: 'object', additionalProperties: { x_kubernetes_int_or_string: true } },
          any: { x_kubernetes_preserve_unknown_fields: true, _default: { a: 1 } },
        },
      },
      'V1JSONSchemaProps',
    );
    expect(wire).to.deep.equal({
      properties: {
        list: { items: { enum: ['a'], type: 'string' }, type: 'array' },
        map: { additionalProperties: { 'x-kubernetes-int-or-string': true }, type: 'object' },
        any: { default: { a: 1 }, 'x-kubernetes-preserve-unknown-fields': true },
      },
      type: 'object',
    });
  });

  it('rejects a field the model does not know rather than writing it', () => {
    expect(() => toWire({ type: 'string', enum: ['a'] }, 'V1JSONSchemaProps')).to.throw(
      /V1JSONSchemaProps has no field enum/,
    );
  });

  it('leaves free-form values (defaults, examples) as they are', () => {
    expect(toWire({ _default: { _enum: 1 } }, 'V1JSONSchemaProps')).to.deep.equal({ default: { _enum: 1 } });
  });
});

describe('renderCrd', () => {
  const text = renderCrd(buildCrd(widget));

  it('starts with the generated-file header that names npm run crds', () => {
    expect(text.startsWith(`${GENERATED_MARKER}\n`)).to.equal(true);
    expect(text.split('\n').slice(0, 3).join('\n')).to.include('npm run crds');
    expect(isGenerated(text)).to.equal(true);
    expect(isGenerated('# my own CRD\napiVersion: v1\n')).to.equal(false);
  });

  it('parses back to the wire form of the CRD, with no JavaScript field names left', () => {
    expect(parse(text)).to.deep.equal(toWire(buildCrd(widget), 'V1CustomResourceDefinition'));
    expect(text).not.to.match(/_enum|x_kubernetes|_default/);
  });

  it('writes the same bytes every time', () => {
    expect(renderCrd(buildCrd(widget))).to.equal(text);
  });

  it('keeps a fixed key order: the model order, properties as declared', () => {
    expect(Object.keys(parse(text))).to.deep.equal(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(Object.keys(parse(text).spec)).to.deep.equal(['conversion', 'group', 'names', 'scope', 'versions']);
    const spec = parse(text).spec.versions[1].schema.openAPIV3Schema.properties.spec;
    expect(Object.keys(spec.properties)).to.deep.equal([
      'size',
      'colour',
      'memory',
      'port',
      'total',
      'labels',
      'template',
      'extra',
      'ratio',
      'tags',
    ]);
  });

  it('never folds long strings, so patterns survive intact on one line', () => {
    expect(text).to.include(QUANTITY_PATTERN);
    const memory = parse(text).spec.versions[1].schema.openAPIV3Schema.properties.spec.properties.memory;
    expect(memory.pattern).to.equal(QUANTITY_PATTERN);
  });
});
