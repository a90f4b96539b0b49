import { expect } from 'chai';
import { parse } from 'yaml';
import { kinds } from '../../converters/index.js';
import { buildCrd } from '../../src/crd/build.js';
import { renderCrd } from '../../src/crd/render.js';
import { crdProblems, structuralSchemaProblems } from '../../src/crd/structural.js';
import { defaultWebhookService } from '../../src/crd/service.js';
import type { Kind } from '../../src/kinds/defineKind.js';
import { fixtureKinds, widget } from './fixtures.js';

// Parsed YAML, poked at by the tests below.
type Json = Record<string, any>;

const rendered = new Map<Kind, Json>();

/** A generated CRD as the apiserver would read it: rendered to YAML and parsed back (a fresh copy). */
const wireCrd = (kind = widget): Json => {
  if (!rendered.has(kind)) rendered.set(kind, parse(renderCrd(buildCrd(kind))) as Json);
  return structuredClone(rendered.get(kind)!);
};

/** The root schema of a fresh, valid CRD's storage version, to break one rule at a time. */
const rootSchema = (): Json => wireCrd().spec.versions[1].schema.openAPIV3Schema;

const withField = (field: unknown): Json => {
  const root = rootSchema();
  root.properties.spec.properties.probe = field;
  return root;
};

const problemsOfField = (field: unknown) => structuralSchemaProblems(withField(field), 'root');
const at = 'root.properties.spec.properties.probe';

describe('the structural-schema checker', () => {
  describe('accepts', () => {
    for (const kind of [...fixtureKinds, ...kinds]) {
      it(`every generated node of ${kind.plural}.${kind.group}`, () => {
        expect(crdProblems(wireCrd(kind), { service: defaultWebhookService })).to.deep.equal([]);
      });
    }

    it('the int-or-string forms Kubernetes allows', () => {
      const anyOf = [{ type: 'integer' }, { type: 'string' }];
      expect(problemsOfField({ 'x-kubernetes-int-or-string': true, anyOf })).to.deep.equal([]);
      expect(
        problemsOfField({ 'x-kubernetes-int-or-string': true, allOf: [{ anyOf }, { maxLength: 3 }] }),
      ).to.deep.equal([]);
      expect(problemsOfField({ 'x-kubernetes-int-or-string': true })).to.deep.equal([]);
    });

    it('value validations that only narrow values', () => {
      expect(
        problemsOfField({ type: 'string', anyOf: [{ minLength: 2 }, { pattern: '^x' }], not: { enum: ['y'] } }),
      ).to.deep.equal([]);
    });
  });

  describe('rejects', () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['a node without a type', { description: 'x' }, /probe\.type: must not be empty/],
      ['a null type', { type: 'null' }, /use nullable: true/],
      ['an unknown type', { type: 'float' }, /must be one of/],
      ['a list of types', { type: ['string', 'null'] }, /must be one of/],
      ['$ref', { type: 'object', $ref: '#/definitions/x' }, /probe\.\$ref: is not supported/],
      [
        'definitions, patternProperties and additionalItems',
        { type: 'object', patternProperties: {} },
        /patternProperties: is not supported/,
      ],
      ['a misspelt keyword', { type: 'string', 'x-kubernetes-int-or-strings': true }, /not a JSON-schema keyword/],
      ['uniqueItems', { type: 'array', items: { type: 'string' }, uniqueItems: true }, /uniqueItems: cannot be true/],
      ['additionalProperties: false', { type: 'object', additionalProperties: false }, /must not be false/],
      ['additionalProperties: true', { type: 'object', additionalProperties: true }, /must be a schema/],
      [
        'properties next to additionalProperties',
        { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } },
        /mutually exclusive/,
      ],
      ['an array without items', { type: 'array' }, /items: must be specified/],
      ['properties on a string', { type: 'string', properties: {} }, /only an object has properties/],
      [
        'required fields that are not properties',
        { type: 'object', properties: {}, required: ['a'] },
        /names a, which is not/,
      ],
      ['an enum value of another type', { type: 'string', enum: ['a', 1] }, /enum\[1\]: 1 is not of type string/],
      ['a non-integer in an integer enum', { type: 'integer', format: 'int32', enum: [1.5] }, /is not of type integer/],
      ['null in an enum that is not nullable', { type: 'string', enum: ['a', null] }, /only allowed when nullable/],
      ['a nullable enum without null', { type: 'string', nullable: true, enum: ['a'] }, /must list null/],
      ['an empty enum', { type: 'string', enum: [] }, /non-empty list/],
      ['an integer without int32 or int64', { type: 'integer' }, /must say int32 or int64/],
      ['int64 on a string', { type: 'string', format: 'int64' }, /not a format for type string/],
      ['an unknown format', { type: 'string', format: 'datetimez' }, /not a format/],
      ['a pattern on a number', { type: 'number', pattern: '^1' }, /pattern: does not apply to type number/],
      ['minimum on a string', { type: 'string', minimum: 1 }, /minimum: does not apply/],
      ['an invalid pattern', { type: 'string', pattern: '([a-z' }, /not a valid regular expression/],
      [
        'a type next to int-or-string',
        { type: 'string', 'x-kubernetes-int-or-string': true },
        /must be empty when x-kubernetes-int-or-string/,
      ],
      [
        'int-or-string with preserve-unknown-fields',
        { 'x-kubernetes-int-or-string': true, 'x-kubernetes-preserve-unknown-fields': true },
        /must be false if x-kubernetes-int-or-string/,
      ],
      [
        'preserve-unknown-fields: false',
        { type: 'object', 'x-kubernetes-preserve-unknown-fields': false },
        /must be true or absent/,
      ],
      [
        'the int-or-string anyOf without the extension',
        { anyOf: [{ type: 'integer' }, { type: 'string' }] },
        /needs x-kubernetes-int-or-string/,
      ],
      ['a type inside anyOf', { type: 'string', anyOf: [{ type: 'string' }] }, /anyOf\[0\]\.type: must not appear/],
      [
        'properties inside allOf',
        { type: 'object', allOf: [{ properties: { a: {} } }] },
        /allOf\[0\]\.properties: must not appear/,
      ],
      ['nullable inside not', { type: 'string', not: { nullable: true } }, /not\.nullable: must not appear/],
      ['a description inside oneOf', { type: 'string', oneOf: [{ description: 'x' }] }, /oneOf\[0\]\.description/],
      [
        'deeply nested problems',
        { type: 'array', items: { type: 'object', properties: { x: {} } } },
        /probe\.items\.properties\.x\.type/,
      ],
    ];
    for (const [what, field, message] of cases) {
      it(what, () => {
        const problems = problemsOfField(field);
        expect(problems.join('\n')).to.match(message);
        expect(problems.every((p) => p.startsWith(at))).to.equal(true, problems.join('\n'));
      });
    }

    it('a root that is not an object, or has additionalProperties', () => {
      expect(structuralSchemaProblems({ type: 'string' }, 'r')).to.deep.equal(['r.type: must be object at the root']);
      const root = rootSchema();
      delete root.properties;
      root.additionalProperties = { type: 'string' };
      expect(structuralSchemaProblems(root, 'r')).to.include('r.additionalProperties: must not be used at the root');
    });

    it('metadata that restricts more than name and generateName', () => {
      const root = rootSchema();
      root.properties.metadata = { type: 'object', properties: { labels: { type: 'object' } }, description: 'x' };
      const problems = structuralSchemaProblems(root, 'r');
      expect(problems).to.include(
        'r.properties.metadata.properties.labels: metadata may only restrict name and generateName',
      );
      expect(problems).to.include(
        'r.properties.metadata.description: metadata may only restrict name and generateName',
      );
      root.properties.metadata = { type: 'object', properties: { name: { type: 'string', maxLength: 20 } } };
      expect(structuralSchemaProblems(root, 'r')).to.deep.equal([]);
    });

    it('apiVersion or kind that is not a string', () => {
      const root = rootSchema();
      root.properties.kind = { type: 'object' };
      expect(structuralSchemaProblems(root, 'r')).to.include('r.properties.kind.type: must be string');
    });
  });

  describe('at the CRD level, rejects', () => {
    const broken = (change: (crd: Json) => void) => {
      const crd = wireCrd();
      change(crd);
      return crdProblems(crd, { service: defaultWebhookService }).join('\n');
    };

    it('a name other than <plural>.<group>', () => {
      expect(broken((c) => (c.metadata.name = 'widgets'))).to.match(/metadata\.name: must be <plural>\.<group>/);
    });

    it('no storage version, or two', () => {
      expect(broken((c) => (c.spec.versions[1].storage = false))).to.match(
        /exactly one version must be the storage version, found 0/,
      );
      expect(broken((c) => (c.spec.versions[0].storage = true))).to.match(/found 2/);
    });

    it('a version listed twice or badly named', () => {
      expect(broken((c) => (c.spec.versions[0].name = 'v1'))).to.match(/version v1 is listed twice/);
      expect(broken((c) => (c.spec.versions[0].name = 'version1'))).to.match(/must be a Kubernetes version name/);
    });

    it('preserveUnknownFields: true', () => {
      expect(broken((c) => (c.spec.preserveUnknownFields = true))).to.match(/preserveUnknownFields: must not be true/);
    });

    it('conversion settings other than the webhook service', () => {
      expect(broken((c) => (c.spec.conversion = { strategy: 'None' }))).to.match(/strategy: must be Webhook/);
      expect(broken((c) => (c.spec.conversion.webhook.conversionReviewVersions = ['v1']))).to.match(
        /must be \[v1, v1beta1\]/,
      );
      expect(broken((c) => (c.spec.conversion.webhook.clientConfig.caBundle = 'Zm9v'))).to.match(
        /caBundle: must not be in the files/,
      );
      expect(broken((c) => (c.spec.conversion.webhook.clientConfig.service.port = 8443))).to.match(
        /port: must be 443, found 8443/,
      );
      expect(broken((c) => delete c.spec.conversion.webhook.clientConfig.service)).to.match(
        /service: must be specified/,
      );
    });

    it('printer columns of unknown types or without a JSON path', () => {
      expect(broken((c) => (c.spec.versions[1].additionalPrinterColumns[0].type = 'int'))).to.match(
        /additionalPrinterColumns\[0\]\.type/,
      );
      expect(broken((c) => (c.spec.versions[1].additionalPrinterColumns[0].jsonPath = 'spec.size'))).to.match(
        /jsonPath: must be a JSON path/,
      );
    });

    it('schema problems, with the version they are in', () => {
      expect(broken((c) => (c.spec.versions[0].schema.openAPIV3Schema.properties.spec.type = 'null'))).to.match(
        /^spec\.versions\[0\]\.schema\.openAPIV3Schema\.properties\.spec\.type: null is not a type/m,
      );
    });
  });
});
