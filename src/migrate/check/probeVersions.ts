import { apiFailure, describeFailure } from '../apiErrors.js';
import type { CheckApi } from './checkApi.js';
import { ok, problem, warning, type Finding } from './findings.js';
import type { Json } from './manifest.js';

interface CrdCoordinates {
  group: string;
  plural: string;
  served: string[];
}

export function coordinates(crd: Json): CrdCoordinates {
  const spec = (crd.spec ?? {}) as {
    group?: string;
    names?: { plural?: string };
    versions?: { name: string; served?: boolean }[];
  };
  return {
    group: spec.group ?? '',
    plural: spec.names?.plural ?? '',
    served: (spec.versions ?? []).filter((v) => v.served).map((v) => v.name),
  };
}

/**
 * Reads one object in every served version through the apiserver. An object stored in another
 * version than the one asked for goes through the conversion webhook, so an error here is what a
 * user or controller would get: it names the version and carries the apiserver's message.
 */
export async function probeServedVersions(api: CheckApi, crd: Json): Promise<Finding[]> {
  const { group, plural, served } = coordinates(crd);
  const findings: Finding[] = [];
  for (const version of served) {
    try {
      const first = await api.listFirst(group, version, plural);
      if (!first) {
        // No objects: nothing is ever converted, in any version.
        findings.push(
          warning(
            `no ${plural}.${group} objects exist: the webhook could not be exercised (create one and run check again)`,
          ),
        );
        return findings;
      }
      const id = first.namespace ? `${first.namespace}/${first.name}` : first.name;
      findings.push(ok(`read ${id} at ${version} through the apiserver`));
    } catch (err) {
      findings.push(problem(`reading ${plural}.${group} at ${version} failed: ${describeFailure(apiFailure(err))}`));
    }
  }
  return findings;
}
