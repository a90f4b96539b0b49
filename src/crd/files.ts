import { crdName, type Kind } from '../kinds/defineKind.js';
import { buildCrd } from './build.js';
import { renderCrd } from './render.js';
import type { WebhookService } from './service.js';

/** `<plural>.<group>.yaml`, the CRD's own name: one file per kind. */
export const crdFileName = (kind: Pick<Kind, 'plural' | 'group'>): string => `${crdName(kind)}.yaml`;

/** Every kind's CRD file, by file name, in the kinds' order. */
export function generateCrdFiles(kinds: readonly Kind[], service?: WebhookService): Map<string, string> {
  const files = new Map<string, string>();
  for (const kind of kinds) {
    const name = crdFileName(kind);
    if (files.has(name)) throw new Error(`two kinds make the same CRD ${crdName(kind)}`);
    files.set(name, renderCrd(buildCrd(kind, service)));
  }
  return files;
}
