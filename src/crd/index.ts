/** CustomResourceDefinitions generated from the kinds' codecs (`crdconv crds`). */
export { buildCrd } from './build.js';
export { crdVersion } from './version.js';
export { versionSchema } from './schema.js';
export { crdNames } from './names.js';
export { webhookConversion, CONVERSION_REVIEW_VERSIONS } from './conversion.js';
export { defaultWebhookService, webhookServiceProblems, type WebhookService } from './service.js';
export { renderCrd, isGenerated, GENERATED_MARKER } from './render.js';
export { toWire } from './wire.js';
export { crdFileName, generateCrdFiles } from './files.js';
export { diffCrdDir, syncCrdDir, isClean, type CrdDirDiff } from './sync.js';
export { crdProblems, structuralSchemaProblems, type ExpectedConversion } from './structural.js';
