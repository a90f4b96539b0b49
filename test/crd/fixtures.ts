import * as t from 'io-ts';
import { between, defineKind, version, type Kind } from '../../src/kinds/defineKind.js';
import {
  DateTime,
  FreeForm,
  Int32,
  Int64,
  IntOrString,
  Quantity,
  annotate,
  atMostOneOf,
  constrained,
  exactlyOneOf,
  immutable,
  nullable,
  ordered,
  rule,
} from '../../src/model/index.js';

/**
 * Kinds made to reach every branch of the CRD generator: every leaf, nullable enums, maps,
 * free-form objects, deprecated and unserved versions, status subresource on and off.
 */
const widgetV1 = version(
  'v1',
  t.type({
    spec: t.intersection([
      t.type({ size: constrained(Int32, { minimum: 1, maximum: 10, description: 'How big' }) }),
      t.partial({
        colour: nullable(t.keyof({ red: null, green: null })),
        memory: Quantity,
        port: IntOrString,
        total: Int64,
        labels: t.record(t.string, t.string),
        template: FreeForm,
        extra: t.unknown,
        ratio: t.number,
        tags: constrained(t.array(constrained(t.string, { pattern: '^[a-z]+$' })), { maxItems: 5 }),
      }),
    ]),
    status: t.partial({ since: DateTime, ready: t.boolean }),
  }),
  {
    storage: true,
    printerColumns: [
      { name: 'Size', type: 'integer', jsonPath: '.spec.size', description: 'How big' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', priority: 1 },
    ],
  },
);
const widgetV1beta1 = version('v1beta1', t.type({ spec: t.partial({ size: Int32 }) }), {
  served: false,
  deprecated: true,
  deprecationWarning: 'example.com/v1beta1 Widget is gone; use v1',
});
const identity = (body: unknown) => body as never;

export const widget: Kind = defineKind({
  group: 'example.com',
  kind: 'Widget',
  plural: 'widgets',
  shortNames: ['wd'],
  categories: ['all', 'toys'],
  scope: 'Namespaced',
  versions: [widgetV1beta1, widgetV1],
  converters: between(widgetV1beta1, widgetV1, { up: identity, down: identity }),
});

/** Cluster-scoped, names spelled out, and a status field without the status subresource. */
const gadgetV1 = version(
  'v1alpha1',
  t.partial({ spec: t.partial({ on: t.boolean }), status: t.partial({ ok: t.boolean }) }),
  {
    storage: true,
  },
);
export const gadget: Kind = defineKind({
  group: 'tools.example.org',
  kind: 'Gadget',
  plural: 'gadgets',
  singular: 'thing',
  listKind: 'Gadgets',
  scope: 'Cluster',
  versions: [gadgetV1],
  converters: [],
  statusSubresource: false,
});

/** Fields at the root (as in the Kubernetes e2e example), with the status subresource forced on. */
const rootV1 = version('v1', t.type({ hostPort: t.string }), { storage: true });
export const rooted: Kind = defineKind({
  group: 'stable.example.com',
  kind: 'Rooted',
  plural: 'rooteds',
  scope: 'Namespaced',
  versions: [rootV1],
  converters: [],
  statusSubresource: true,
});

/** The schema annotations (model/annotations.ts): formats, list and map types, CEL rules, ... */
const port = t.type({
  name: annotate(t.string, { description: 'The port name' }),
  port: constrained(Int32, { minimum: 1, maximum: 65535 }),
  protocol: annotate(t.keyof({ TCP: null, UDP: null }), { default: 'TCP' }),
});
const gizmoSpec = annotate(
  t.intersection([
    t.type({ replicas: annotate(Int32, { default: 1, description: 'How many' }) }),
    t.partial({
      timeout: annotate(t.string, { format: 'duration' }),
      payload: annotate(nullable(t.string), { format: 'byte' }),
      id: annotate(constrained(t.string, { maxLength: 36 }), { format: 'uuid', validations: [immutable()] }),
      ports: annotate(t.array(t.intersection([port, t.partial({ hostPort: Int32 })])), {
        listType: 'map',
        listMapKeys: ['name', 'protocol'],
      }),
      hosts: annotate(t.array(annotate(t.string, { format: 'hostname' })), { listType: 'set' }),
      selector: annotate(t.record(t.string, t.string), { mapType: 'atomic', minProperties: 1, maxProperties: 4 }),
      template: annotate(FreeForm, { embeddedResource: true }),
      extra: annotate(t.partial({ known: t.string }), { preserveUnknownFields: true }),
      weight: annotate(constrained(t.number, { minimum: 0, maximum: 1 }), { exclusiveMinimum: true }),
      step: annotate(Int64, { multipleOf: 5 }),
      image: t.string,
      build: t.string,
      source: annotate(t.partial({ git: t.string, oci: t.string }), { validations: [exactlyOneOf('git', 'oci')] }),
      min: Int32,
      max: Int32,
      name: annotate(constrained(t.string, { pattern: '(?i)^[a-z][-a-z0-9]*$', maxLength: 20 }), {
        validations: [rule("self != 'default'", { message: 'reserved', reason: 'FieldValueForbidden' })],
      }),
    }),
  ]),
  { validations: [atMostOneOf('image', 'build'), ordered('min', 'max')] },
);
const gizmoV1 = version(
  'v1',
  annotate(
    t.type({
      spec: gizmoSpec,
      status: t.partial({
        replicas: Int32,
        selector: t.string,
        phase: t.string,
      }),
    }),
    {
      description: 'A gizmo',
      typeMeta: { apiVersion: 'The version', kind: 'The kind' },
      validations: [rule('has(self.spec)')],
    },
  ),
  {
    storage: true,
    selectableFields: ['.spec.image'],
    scale: {
      specReplicasPath: '.spec.replicas',
      statusReplicasPath: '.status.replicas',
      labelSelectorPath: '.status.selector',
    },
  },
);
export const gizmo: Kind = defineKind({
  group: 'annotations.example.com',
  kind: 'Gizmo',
  plural: 'gizmos',
  scope: 'Namespaced',
  versions: [gizmoV1],
  converters: [],
});

export const fixtureKinds: readonly Kind[] = [widget, gadget, rooted];

/** The kinds whose schemas the property tests check: the fixtures above and the annotated one. */
export const schemaFixtureKinds: readonly Kind[] = [...fixtureKinds, gizmo];
