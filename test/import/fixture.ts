import { stringify } from 'yaml';

/**
 * A small multi-version CRD written for these tests: every schema feature the importer reads, and
 * the differences between versions a converter skeleton has to list.
 */
const port = {
  type: 'object',
  description: 'A port',
  required: ['name'],
  properties: {
    name: { type: 'string', maxLength: 15, pattern: '(?i)^[a-z][-a-z0-9]*$' },
    port: { type: 'integer', format: 'int32', minimum: 1, maximum: 65535 },
    protocol: { type: 'string', enum: ['TCP', 'UDP'], default: 'TCP' },
  },
};

const v1alpha1 = {
  name: 'v1alpha1',
  served: true,
  storage: false,
  deprecated: true,
  deprecationWarning: 'widgets.example.com/v1alpha1 is deprecated',
  schema: {
    openAPIV3Schema: {
      type: 'object',
      description: 'A widget, the old way',
      properties: {
        apiVersion: { type: 'string', description: 'APIVersion of the object' },
        kind: { type: 'string', description: 'Kind of the object' },
        metadata: { type: 'object' },
        spec: {
          type: 'object',
          properties: {
            size: { type: 'integer' },
            colour: { type: 'string', nullable: true, enum: ['red', 'green', null] },
            ports: {
              type: 'array',
              items: port,
              'x-kubernetes-list-type': 'map',
              'x-kubernetes-list-map-keys': ['name'],
            },
            timeout: { type: 'integer', format: 'int32', description: 'Seconds' },
          },
        },
      },
    },
  },
};

const v1 = {
  name: 'v1',
  served: true,
  storage: true,
  additionalPrinterColumns: [
    { name: 'Size', type: 'integer', jsonPath: '.spec.size', description: 'How big' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', priority: 1 },
  ],
  selectableFields: [{ jsonPath: '.spec.colour' }],
  subresources: {
    status: {},
    scale: {
      specReplicasPath: '.spec.replicas',
      statusReplicasPath: '.status.replicas',
      labelSelectorPath: '.status.selector',
    },
  },
  schema: {
    openAPIV3Schema: {
      type: 'object',
      description: 'A widget',
      'x-kubernetes-validations': [{ rule: 'has(self.spec)', message: 'spec is required' }],
      properties: {
        apiVersion: { type: 'string', description: 'APIVersion of the object' },
        kind: { type: 'string', description: 'Kind of the object' },
        metadata: { type: 'object' },
        spec: {
          type: 'object',
          required: ['size'],
          'x-kubernetes-validations': [
            {
              rule: '!has(self.image) || !has(self.build)',
              message: 'image or build',
              reason: 'FieldValueForbidden',
              fieldPath: '.image',
            },
            { rule: 'self.size == oldSelf.size', message: 'immutable', optionalOldSelf: true },
          ],
          properties: {
            size: { type: 'integer', format: 'int64', minimum: 0, exclusiveMinimum: true, default: 1 },
            replicas: { type: 'integer', format: 'int32' },
            colour: { type: 'string', nullable: true, enum: ['red', 'green', null] },
            ports: {
              type: 'array',
              maxItems: 8,
              items: port,
              'x-kubernetes-list-type': 'map',
              'x-kubernetes-list-map-keys': ['name'],
            },
            hosts: { type: 'array', items: { type: 'string', format: 'hostname' }, 'x-kubernetes-list-type': 'set' },
            timeout: { type: 'string', format: 'duration' },
            payload: { type: 'string', format: 'byte' },
            since: { type: 'string', format: 'date-time' },
            ratio: { type: 'number', format: 'double', multipleOf: 0.5 },
            code: { type: 'integer', enum: [301, 302] },
            target: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
            labels: {
              type: 'object',
              additionalProperties: { type: 'string' },
              'x-kubernetes-map-type': 'granular',
              maxProperties: 8,
            },
            selector: { type: 'object', properties: { app: { type: 'string' } }, 'x-kubernetes-map-type': 'atomic' },
            template: {
              type: 'object',
              'x-kubernetes-embedded-resource': true,
              'x-kubernetes-preserve-unknown-fields': true,
            },
            config: {
              type: 'object',
              properties: { known: { type: 'string' } },
              'x-kubernetes-preserve-unknown-fields': true,
            },
            extra: { 'x-kubernetes-preserve-unknown-fields': true, description: 'anything' },
            empty: { type: 'object' },
            image: { type: 'string', title: 'Image', example: 'nginx:1' },
            build: { type: 'string' },
            choice: {
              type: 'object',
              properties: { a: { type: 'string' }, b: { type: 'string' } },
              oneOf: [{ required: ['a'] }, { required: ['b'] }],
            },
            data: {
              type: 'array',
              items: {
                type: 'object',
                required: ['key', 'value'],
                properties: { key: { type: 'string' }, value: { 'x-kubernetes-preserve-unknown-fields': true } },
              },
            },
          },
        },
        status: {
          type: 'object',
          properties: { replicas: { type: 'integer', format: 'int32' }, selector: { type: 'string' } },
        },
      },
    },
  },
};

export const widgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com', annotations: { 'controller-gen.kubebuilder.io/version': 'v0.0.0' } },
  spec: {
    group: 'example.com',
    names: {
      kind: 'Widget',
      plural: 'widgets',
      singular: 'widget',
      listKind: 'WidgetList',
      shortNames: ['wd'],
      categories: ['all'],
    },
    scope: 'Namespaced',
    // Newest first, as many CRDs list them: the kind declares them oldest first.
    versions: [v1, v1alpha1],
  },
};

export const widgetYaml = stringify(widgetCrd);

/** Schemas the model cannot express, each at a known path. */
export const unexpressibleYaml = stringify({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'odds.example.com' },
  spec: {
    group: 'example.com',
    names: { kind: 'Odd', plural: 'odds' },
    scope: 'Cluster',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 20 } } },
              spec: {
                type: 'object',
                properties: {
                  both: {
                    type: 'object',
                    properties: { a: { type: 'string' } },
                    additionalProperties: { type: 'string' },
                  },
                  untyped: { minLength: 1 },
                  list: { type: 'array' },
                  odd: { type: 'string', uniqueItems: true },
                  look: { type: 'string', pattern: '^(?!kube-)[a-z]+$' },
                },
              },
            },
          },
        },
      },
    ],
  },
});
