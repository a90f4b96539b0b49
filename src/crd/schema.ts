import type { V1JSONSchemaProps } from '@kubernetes/client-node';
import type { Version } from '../kinds/defineKind.js';
import { openApiSchema } from '../interpreters/openapi.js';

/** The fields every object has, which belong to Kubernetes rather than to a version's codec. */
const FRAMEWORK_FIELDS = ['apiVersion', 'kind', 'metadata'] as const;

/**
 * The `openAPIV3Schema` of one version: the body codec's fields next to apiVersion, kind and
 * metadata. Metadata is `type: object` and nothing more: the apiserver validates it itself and
 * allows a CRD to restrict at most its name and generateName.
 */
export function versionSchema(kindName: string, version: Version): V1JSONSchemaProps {
  const body = openApiSchema(version.codec);
  const where = `${kindName} ${version.name}`;
  const { type, properties = {}, required, description, x_kubernetes_preserve_unknown_fields, ...rest } = body;
  if (type !== 'object' || Object.keys(rest).length) {
    throw new Error(
      `${where}: the codec must describe an object with fields (t.type, t.partial, an intersection of them)`,
    );
  }
  for (const field of FRAMEWORK_FIELDS) {
    if (field in properties)
      throw new Error(`${where}: the codec must not declare ${field}, which belongs to Kubernetes`);
  }
  return {
    type: 'object',
    ...(description ? { description } : {}),
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      ...properties,
    },
    ...(required?.length ? { required } : {}),
    ...(x_kubernetes_preserve_unknown_fields ? { x_kubernetes_preserve_unknown_fields } : {}),
  };
}
