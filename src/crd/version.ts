import type { V1CustomResourceDefinitionVersion, V1CustomResourceSubresources } from '@kubernetes/client-node';
import type { Kind, Version } from '../kinds/defineKind.js';
import { versionSchema } from './schema.js';

/**
 * One entry of `spec.versions`. The status subresource is on when the kind says so, or, when it
 * says nothing, when this version's codec has a `status` field; the scale subresource when the
 * version declares `scale`.
 */
export function crdVersion(kind: Kind, version: Version): V1CustomResourceDefinitionVersion {
  const schema = versionSchema(kind.kind, version);
  const status = kind.statusSubresource ?? 'status' in (schema.properties ?? {});
  const subresources: V1CustomResourceSubresources = {
    ...(status ? { status: {} } : {}),
    ...(version.scale ? { scale: { ...version.scale } } : {}),
  };
  return {
    name: version.name,
    served: version.served,
    storage: version.storage,
    ...(version.deprecated ? { deprecated: true } : {}),
    ...(version.deprecationWarning !== undefined ? { deprecationWarning: version.deprecationWarning } : {}),
    ...(version.printerColumns?.length
      ? { additionalPrinterColumns: version.printerColumns.map((column) => ({ ...column })) }
      : {}),
    schema: { openAPIV3Schema: schema },
    ...(version.selectableFields?.length
      ? { selectableFields: version.selectableFields.map((jsonPath) => ({ jsonPath })) }
      : {}),
    ...(Object.keys(subresources).length ? { subresources } : {}),
  };
}
