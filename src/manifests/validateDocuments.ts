import { describeObject } from '../convert/convertObject.js';
import { decodeProblems } from '../convert/decode.js';
import { strict } from '../interpreters/lenient.js';

import type { Registry } from '../kinds/registry.js';
import type { ManifestFile } from './documents.js';
import { lookupDocumentKind } from './lookup.js';
import { isJsonObject } from '../json/objects.js';
import { formatJsonPath } from '../json/path.js';

export interface ValidationReport {
  readonly checked: number;
  /** Documents of kinds no converter serves: not ours to judge. */
  readonly skipped: number;
  readonly problems: readonly string[];
}

/**
 * Check resources against their version's codec with the strict rules: required fields must be
 * there and constraints hold (the service itself is lenient about both, because the apiserver
 * sends partial objects; manifests in git are whole objects).
 */
export function validateDocuments(registry: Registry, file: ManifestFile): ValidationReport {
  const problems: string[] = [];
  let checked = 0;
  let skipped = 0;
  for (const doc of file.documents) {
    const where = `${file.path}#${doc.index}`;
    const value = doc.value;
    if (!isJsonObject(value)) {
      problems.push(
        `${where}: not a Kubernetes object (a ${Array.isArray(value) ? 'list' : value === null ? 'null' : typeof value})`,
      );
      continue;
    }
    if (typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') {
      problems.push(`${where}: not a Kubernetes object (apiVersion and kind must be strings)`);
      continue;
    }
    const found = lookupDocumentKind(registry, value.apiVersion, value.kind);
    if ('foreign' in found) {
      skipped++;
      continue;
    }
    checked++;
    const who = `${where} ${describeObject(value)}`;
    if ('unknown' in found) {
      problems.push(`${who}: ${found.unknown}`);
      continue;
    }
    const { kind, version } = found;
    const registered = kind.versions.get(version);
    if (!registered) {
      problems.push(
        `${who}: version ${version} is not declared for ${value.kind} (declared: ${[...kind.versions.keys()].join(', ')})`,
      );
      continue;
    }
    const metadata = value.metadata;
    if (!isJsonObject(metadata)) problems.push(`${who}: .metadata: required object missing`);
    else if (typeof metadata.name !== 'string' && typeof metadata.generateName !== 'string')
      problems.push(`${who}: .metadata.name: required string missing`);
    const { apiVersion: _a, kind: _k, metadata: _m, ...body } = value;
    for (const p of decodeProblems(strict(registered.def.codec), body)) {
      problems.push(
        p.found === 'nothing'
          ? `${who}: ${p.path}: required ${p.expected} missing`
          : `${who}: ${p.path}: expected ${p.expected}, got ${p.found}`,
      );
    }
    for (const p of registered.validator.problems(body).filter((p) => p.kind === 'pruned'))
      problems.push(`${who}: ${formatJsonPath(p.path)}: not in the ${version} schema (the apiserver would prune it)`);
  }
  return { checked, skipped, problems };
}
