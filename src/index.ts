/**
 * The public surface for converter authors: model building blocks and kind declarations.
 * Files under converters/ import from here and nowhere else in src/.
 */
export * from './model/index.js';
export { defineKind, version, between, crdName } from './kinds/defineKind.js';
export type { Kind, Version, Converter, PrinterColumn } from './kinds/defineKind.js';
export type { Body } from './kinds/body.js';
export { createRegistry, RegistryError } from './kinds/registry.js';
export type { Registry, RegisteredKind } from './kinds/registry.js';
export { registerLeafSchema } from './interpreters/openapi.js';
