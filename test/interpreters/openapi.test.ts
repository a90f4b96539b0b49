import { expect } from 'chai';
import * as t from 'io-ts';
import { openApiSchema, registerLeafSchema, SchemaError } from '../../src/interpreters/openapi.js';
import { Integer, JsonValue, annotate } from '../../src/model/index.js';
import {
  DateTime,
  FreeForm,
  Int32,
  Int64,
  IntOrString,
  LeafType,
  Quantity,
  QUANTITY_PATTERN,
  constrained,
  nullable,
} from '../../src/model/index.js';

describe('openApiSchema', () => {
  describe('scalars', () => {
    it('maps string, number and boolean to their types', () => {
      expect(openApiSchema(t.string)).to.deep.equal({ type: 'string' });
      expect(openApiSchema(t.number)).to.deep.equal({ type: 'number' });
      expect(openApiSchema(t.boolean)).to.deep.equal({ type: 'boolean' });
    });

    it('maps unknown to a node that keeps whatever it holds', () => {
      expect(openApiSchema(t.unknown)).to.deep.equal({ x_kubernetes_preserve_unknown_fields: true });
    });

    it('maps UnknownRecord to an object that keeps unknown fields, UnknownArray to an array of anything', () => {
      expect(openApiSchema(t.UnknownRecord)).to.deep.equal({
        type: 'object',
        x_kubernetes_preserve_unknown_fields: true,
      });
      expect(openApiSchema(t.UnknownArray)).to.deep.equal({
        type: 'array',
        items: { x_kubernetes_preserve_unknown_fields: true },
      });
    });
  });

  describe('objects', () => {
    it('makes the keys of t.type required, in declared order', () => {
      expect(openApiSchema(t.type({ b: t.string, a: t.number }))).to.deep.equal({
        type: 'object',
        properties: { b: { type: 'string' }, a: { type: 'number' } },
        required: ['b', 'a'],
      });
    });

    it('makes no key of t.partial required', () => {
      expect(openApiSchema(t.partial({ a: t.string }))).to.deep.equal({
        type: 'object',
        properties: { a: { type: 'string' } },
      });
    });

    it('leaves out of required the t.type keys whose codec admits undefined, as io-ts does', () => {
      const schema = openApiSchema(t.type({ a: t.string, b: t.unknown, c: t.union([t.string, t.undefined]) }));
      expect(schema.required).to.deep.equal(['a']);
      expect(schema.properties!.c).to.deep.equal({ type: 'string' });
    });

    it('sees through exact, strict and readonly', () => {
      const expected = openApiSchema(t.type({ a: t.string }));
      expect(openApiSchema(t.exact(t.type({ a: t.string })))).to.deep.equal(expected);
      expect(openApiSchema(t.strict({ a: t.string }))).to.deep.equal(expected);
      expect(openApiSchema(t.readonly(t.type({ a: t.string })))).to.deep.equal(expected);
    });

    it('merges an intersection of objects into one, required from the t.type parts', () => {
      const codec = t.intersection([t.type({ a: t.string }), t.partial({ b: t.boolean }), t.type({ c: t.number })]);
      expect(openApiSchema(codec)).to.deep.equal({
        type: 'object',
        properties: { a: { type: 'string' }, b: { type: 'boolean' }, c: { type: 'number' } },
        required: ['a', 'c'],
      });
    });

    it('accepts a field repeated with the same schema in an intersection, rejects one with another', () => {
      const same = t.intersection([t.type({ a: t.string }), t.partial({ a: t.string })]);
      expect(openApiSchema(same).properties).to.deep.equal({ a: { type: 'string' } });
      const clash = t.intersection([t.type({ a: t.string }), t.partial({ a: t.number })]);
      expect(() => openApiSchema(clash)).to.throw(SchemaError, /field a is declared twice/);
    });

    it('rejects an intersection with something that is not an object', () => {
      const codec = t.intersection([t.type({ a: t.string }), t.string]);
      expect(() => openApiSchema(codec)).to.throw(SchemaError, /only intersections of object codecs/);
    });

    it('nests objects and names the path in errors', () => {
      const codec = t.type({ spec: t.partial({ x: t.union([t.string, t.number]) }) });
      expect(() => openApiSchema(codec)).to.throw(SchemaError, /at spec\.x: .*union of different shapes/);
    });
  });

  describe('arrays and maps', () => {
    it('maps arrays and readonly arrays to items', () => {
      expect(openApiSchema(t.array(t.string))).to.deep.equal({ type: 'array', items: { type: 'string' } });
      expect(openApiSchema(t.readonlyArray(Int32))).to.deep.equal({
        type: 'array',
        items: { type: 'integer', format: 'int32' },
      });
    });

    it('maps a string-keyed record to additionalProperties', () => {
      expect(openApiSchema(t.record(t.string, t.number))).to.deep.equal({
        type: 'object',
        additionalProperties: { type: 'number' },
      });
    });

    it('maps a record over a finite set of keys to an object with all of them required', () => {
      expect(openApiSchema(t.record(t.keyof({ x: null, y: null }), t.boolean))).to.deep.equal({
        type: 'object',
        properties: { x: { type: 'boolean' }, y: { type: 'boolean' } },
        required: ['x', 'y'],
      });
    });

    it('rejects tuples', () => {
      expect(() => openApiSchema(t.tuple([t.string, t.number]))).to.throw(SchemaError, /tuple/);
    });
  });

  describe('unions', () => {
    it('maps X | null to X with nullable', () => {
      expect(openApiSchema(nullable(t.string))).to.deep.equal({ type: 'string', nullable: true });
      expect(openApiSchema(nullable(t.type({ a: t.string })))).to.deep.equal({
        type: 'object',
        properties: { a: { type: 'string' } },
        required: ['a'],
        nullable: true,
      });
    });

    it('maps a union of string literals and keyof to a string enum', () => {
      expect(openApiSchema(t.union([t.literal('A'), t.literal('B')]))).to.deep.equal({
        type: 'string',
        _enum: ['A', 'B'],
      });
      expect(openApiSchema(t.keyof({ Allow: null, Forbid: null }))).to.deep.equal({
        type: 'string',
        _enum: ['Allow', 'Forbid'],
      });
      expect(
        openApiSchema(t.union([t.keyof({ A: null }), t.literal('B'), t.union([t.literal('C'), t.literal('A')])])),
      ).to.deep.equal({ type: 'string', _enum: ['A', 'B', 'C'] });
    });

    it('maps integer literals to an int64 enum, other numbers to a number enum', () => {
      expect(openApiSchema(t.union([t.literal(1), t.literal(2)]))).to.deep.equal({
        type: 'integer',
        format: 'int64',
        _enum: [1, 2],
      });
      expect(openApiSchema(t.union([t.literal(1), t.literal(2.5)]))).to.deep.equal({ type: 'number', _enum: [1, 2.5] });
    });

    it('lists null in a nullable enum, which the apiserver checks against null values', () => {
      expect(openApiSchema(nullable(t.keyof({ A: null, B: null })))).to.deep.equal({
        type: 'string',
        _enum: ['A', 'B', null],
        nullable: true,
      });
    });

    it('rejects enums of mixed types and unions of shapes, naming the codec', () => {
      expect(() => openApiSchema(t.union([t.literal('a'), t.literal(1)]))).to.throw(SchemaError, /share one type/);
      const shapes = t.union([t.type({ a: t.string }), t.type({ b: t.string })], 'AOrB');
      expect(() => openApiSchema(shapes)).to.throw(SchemaError, /^openApiSchema: AOrB: /);
    });

    it('maps a single literal to a one-value enum', () => {
      expect(openApiSchema(t.literal('only'))).to.deep.equal({ type: 'string', _enum: ['only'] });
    });

    it('rejects null on its own', () => {
      expect(() => openApiSchema(t.null)).to.throw(SchemaError, /nullable/);
    });
  });

  describe('refinements', () => {
    it('states the constraints of constrained()', () => {
      expect(openApiSchema(constrained(Int32, { minimum: 1, maximum: 65535, description: 'A port' }))).to.deep.equal({
        type: 'integer',
        format: 'int32',
        minimum: 1,
        maximum: 65535,
        description: 'A port',
      });
      expect(openApiSchema(constrained(t.string, { minLength: 1, maxLength: 63, pattern: '^[a-z]+$' }))).to.deep.equal({
        type: 'string',
        minLength: 1,
        maxLength: 63,
        pattern: '^[a-z]+$',
      });
      expect(openApiSchema(constrained(t.array(t.string), { minItems: 1, maxItems: 3 }))).to.deep.equal({
        type: 'array',
        items: { type: 'string' },
        minItems: 1,
        maxItems: 3,
      });
    });

    it('rejects a constraint that does not apply to the type', () => {
      expect(() => openApiSchema(constrained(t.string, { minimum: 1 }))).to.throw(
        SchemaError,
        /minimum does not apply/,
      );
      expect(() => openApiSchema(constrained(t.number, { pattern: 'x' }))).to.throw(
        SchemaError,
        /pattern does not apply/,
      );
    });

    it('allows number and string constraints on int-or-string', () => {
      expect(openApiSchema(constrained(IntOrString, { maxLength: 15 })).maxLength).to.equal(15);
    });

    it('maps t.Int to integer/int64 and other refinements to their base type', () => {
      expect(openApiSchema(t.Int)).to.deep.equal({ type: 'integer', format: 'int64' });
      interface NonEmptyBrand {
        readonly NonEmpty: unique symbol;
      }
      const NonEmpty = t.brand(t.string, (s): s is t.Branded<string, NonEmptyBrand> => s.length > 0, 'NonEmpty');
      expect(openApiSchema(NonEmpty)).to.deep.equal({ type: 'string' });
    });
  });

  describe('leaves', () => {
    it('maps Int32 and Int64 to integers with their formats', () => {
      expect(openApiSchema(Int32)).to.deep.equal({ type: 'integer', format: 'int32' });
      expect(openApiSchema(Int64)).to.deep.equal({ type: 'integer', format: 'int64' });
    });

    it("maps IntOrString to Kubernetes' own int-or-string form", () => {
      expect(openApiSchema(IntOrString)).to.deep.equal({
        anyOf: [{ type: 'integer' }, { type: 'string' }],
        x_kubernetes_int_or_string: true,
      });
    });

    it('maps Quantity to int-or-string with the quantity pattern, integers within what the codec takes', () => {
      expect(openApiSchema(Quantity)).to.deep.equal({
        anyOf: [{ type: 'integer' }, { type: 'string' }],
        x_kubernetes_int_or_string: true,
        minimum: -(2 ** 53 - 1),
        maximum: 2 ** 53 - 1,
        pattern: QUANTITY_PATTERN,
      });
    });

    it('maps DateTime to a date-time string and FreeForm to an object keeping unknown fields', () => {
      expect(openApiSchema(DateTime)).to.deep.equal({ type: 'string', format: 'date-time' });
      expect(openApiSchema(FreeForm)).to.deep.equal({ type: 'object', x_kubernetes_preserve_unknown_fields: true });
    });

    it('returns a copy: changing one schema leaves the next alone', () => {
      const first = openApiSchema(Int32);
      first.format = 'changed';
      expect(openApiSchema(Int32).format).to.equal('int32');
    });

    it('takes user leaves from the registry and rejects unknown ones by name', () => {
      const Port = new LeafType<number>('TestPort', (u): u is number => typeof u === 'number');
      expect(() => openApiSchema(t.type({ port: Port }))).to.throw(
        SchemaError,
        /TestPort at port: leaf TestPort has no registered schema/,
      );
      registerLeafSchema('TestPort', { type: 'integer', format: 'int32', minimum: 1 });
      expect(openApiSchema(Port)).to.deep.equal({ type: 'integer', format: 'int32', minimum: 1 });
    });
  });

  describe('what imported CRDs need', () => {
    it('an object with no fields is type: object alone, also inside an intersection', () => {
      expect(openApiSchema(t.partial({}))).to.deep.equal({ type: 'object' });
      expect(openApiSchema(t.intersection([t.type({ a: t.string }), t.partial({})]))).to.deep.equal({
        type: 'object',
        properties: { a: { type: 'string' } },
        required: ['a'],
      });
    });
    it('Integer has no format, JsonValue is a required preserve-unknown-fields value', () => {
      expect(openApiSchema(t.type({ n: Integer, v: JsonValue, u: t.unknown }))).to.deep.equal({
        type: 'object',
        properties: {
          n: { type: 'integer' },
          v: { x_kubernetes_preserve_unknown_fields: true },
          u: { x_kubernetes_preserve_unknown_fields: true },
        },
        required: ['n', 'v'],
      });
    });
    it('format: null leaves out the format an enum of integers gets', () => {
      const codes = t.union([t.literal(301), t.literal(302)]);
      expect(openApiSchema(codes)).to.deep.equal({ type: 'integer', format: 'int64', _enum: [301, 302] });
      expect(openApiSchema(annotate(codes, { format: null }))).to.deep.equal({ type: 'integer', _enum: [301, 302] });
      expect(openApiSchema(annotate(codes, { format: 'int32' }))).to.deep.equal({
        type: 'integer',
        format: 'int32',
        _enum: [301, 302],
      });
    });
  });

  it('rejects codecs it has no rule for, naming their kind', () => {
    expect(() => openApiSchema(t.bigint)).to.throw(SchemaError, /BigIntType/);
    const recursive: t.Mixed = t.recursion('Tree', () => t.type({ children: t.array(recursive) }));
    expect(() => openApiSchema(recursive)).to.throw(SchemaError, /Tree: a structural schema cannot recurse/);
  });
});
