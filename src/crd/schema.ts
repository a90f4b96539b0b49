import type { V1JSONSchemaProps } from '@kubernetes/client-node';
import type * as t from 'io-ts';
import { inspect } from '../model/inspect.js';
import type { Version } from '../kinds/defineKind.js';
import { isAnnotated, type SchemaAnnotations } from '../model/annotations.js';
import { openApiSchema } from '../interpreters/openapi.js';

/** The fields every object has, which belong to Kubernetes rather than to a version's codec. */
const FRAMEWORK_FIELDS = ['apiVersion', 'kind', 'metadata'] as const;

/** Keywords that make no sense at the root of an object's schema. */
const NOT_AT_ROOT = ['items', 'additionalProperties', 'nullable', '_enum', 'format', 'x_kubernetes_int_or_string'];

/** The root codec's `typeMeta` annotation (descriptions of apiVersion, kind and metadata). */
function typeMetaOf(codec: t.Mixed): SchemaAnnotations['typeMeta'] {
  for (let node = inspect(codec); node.kind === 'refinement'; node = inspect(node.base)) {
    const c = node.codec;
    if (isAnnotated(c) && c.annotations.typeMeta) return c.annotations.typeMeta;
  }
  return undefined;
}

/**
 * The `openAPIV3Schema` of one version: the body codec's fields next to apiVersion, kind and
 * metadata. Metadata is `type: object` and nothing more: the apiserver validates it itself and
 * allows a CRD to restrict at most its name and generateName. What the codec annotates at its
 * root (description, CEL rules, ...) is the root's; `typeMeta` describes the three fields.
 */
export function versionSchema(kindName: string, version: Version): V1JSONSchemaProps {
  const body = openApiSchema(version.codec);
  const where = `${kindName} ${version.name}`;
  const { type, properties = {}, required, ...rest } = body;
  const misplaced = NOT_AT_ROOT.filter((key) => (rest as Record<string, unknown>)[key] !== undefined);
  if (type !== 'object' || misplaced.length) {
    throw new Error(
      `${where}: the codec must describe an object with fields (t.type, t.partial, an intersection of them)` +
        (misplaced.length ? `; found ${misplaced.join(', ')} at its root` : ''),
    );
  }
  for (const field of FRAMEWORK_FIELDS) {
    if (field in properties)
      throw new Error(`${where}: the codec must not declare ${field}, which belongs to Kubernetes`);
  }
  const meta = typeMetaOf(version.codec) ?? {};
  const described = (description: string | undefined) => (description !== undefined ? { description } : {});
  const { description, ...others } = rest;
  return {
    type: 'object',
    ...(description ? { description } : {}),
    properties: {
      apiVersion: { ...described(meta.apiVersion), type: 'string' },
      kind: { ...described(meta.kind), type: 'string' },
      metadata: { ...described(meta.metadata), type: 'object' },
      ...properties,
    },
    ...(required?.length ? { required } : {}),
    ...others,
  };
}
