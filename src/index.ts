/**
 * The public surface of the `crdconv` package (`import { ... } from 'crdconv'`): the model's
 * building blocks, kind declarations, the registry, and the few functions a converter author's
 * code or scripts call. Files under converters/ import from here and nowhere else in src/.
 *
 * The test kit (roundTripSuite, arbitraryFor, registerLeafArbitrary, metadataArbitrary) is its
 * own entry point, `crdconv/testing` (src/testing/index.ts): it needs fast-check and mocha, which
 * the webhook never loads.
 */
export * from './model/index.js';
export { defineKind, version, between, crdName } from './kinds/defineKind.js';
export type { Kind, Version, Converter, PrinterColumn } from './kinds/defineKind.js';
export type { Body } from './kinds/body.js';
export { createRegistry, RegistryError } from './kinds/registry.js';
export type { Registry, RegisteredKind } from './kinds/registry.js';
export { loadKinds, loadRegistry, KindsLoadError } from './kinds/load.js';
export type { LoadedKinds, LoadKindsOptions } from './kinds/load.js';
export { registerLeafSchema } from './interpreters/openapi.js';
// One object through the service's conversion path, as the webhook converts it (for converter
// unit tests and scripts); exact JSON, as the webhook reads and writes it.
export { convertObject } from './convert/convertObject.js';
export { STASH_ANNOTATION } from './convert/stash.js';
export type { ConvertResult } from './convert/convertObject.js';
export { parseJson, stringifyJson, canonicalJson, jsonEqual } from './json/index.js';
// CRD manifests from kinds, as `crdconv crds` writes them.
export { generateCrdFiles, crdFileName } from './crd/files.js';
export { defaultWebhookService, type WebhookService } from './crd/service.js';
