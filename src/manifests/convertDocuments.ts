import { convertObject, describeObject } from '../convert/convertObject.js';

import type { Registry } from '../kinds/registry.js';
import type { ManifestFile } from './documents.js';
import { lookupDocumentKind } from './lookup.js';
import type { OutputDocument } from './write.js';
import { isJsonObject } from '../json/objects.js';
import { splitApiVersion } from '../kinds/apiVersion.js';

export interface ConvertedFile {
  readonly documents: readonly OutputDocument[];
  readonly converted: number;
  /** One line per document that could not be converted. */
  readonly problems: readonly string[];
}

/**
 * `--to v1` converts every resource of a registered kind that has a version v1; `--to
 * group/v1` only that group's. Anything else passes through untouched, in its place.
 */
export function targetFor(to: string, apiVersion: string): string | undefined {
  const { group } = splitApiVersion(apiVersion);
  if (!to.includes('/')) return `${group}/${to}`;
  return splitApiVersion(to).group === group ? to : undefined;
}

/** Convert a manifest file's documents with the service's own pipeline (and stash). */
export function convertDocuments(registry: Registry, file: ManifestFile, to: string): ConvertedFile {
  const problems: string[] = [];
  let converted = 0;
  const documents = file.documents.map((doc): OutputDocument => {
    const unchanged: OutputDocument = {
      value: doc.value,
      changed: false,
      ...(doc.source !== undefined && { source: doc.source }),
    };
    const value = doc.value;
    if (!isJsonObject(value) || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string')
      return unchanged;
    const found = lookupDocumentKind(registry, value.apiVersion, value.kind);
    if ('foreign' in found) return unchanged;
    if ('unknown' in found) {
      problems.push(`${file.path}#${doc.index} ${describeObject(value)}: ${found.unknown}`);
      return unchanged;
    }
    const target = targetFor(to, value.apiVersion);
    if (target === undefined || target === value.apiVersion) return unchanged;
    const result = convertObject(registry, value, target);
    if (!result.ok) {
      problems.push(`${file.path}#${doc.index} ${describeObject(value)}: ${result.failure.message}`);
      return unchanged;
    }
    converted++;
    return { value: result.object, changed: true };
  });
  return { documents, converted, problems };
}
