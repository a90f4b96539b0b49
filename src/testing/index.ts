/**
 * `crdconv/testing`: the test kit for your kinds, a separate entry point from `crdconv` because
 * it runs on fast-check and mocha (optional peer dependencies: install them in your project's
 * devDependencies), which the webhook itself never loads.
 *
 *   import { createRegistry } from 'crdconv';
 *   import { roundTripSuite } from 'crdconv/testing';
 *   import { kinds } from '../src/kinds/index.js';
 *
 *   roundTripSuite(createRegistry(kinds));
 */
export * from './roundTripSuite.js';
export { arbitraryFor, registerLeafArbitrary } from '../interpreters/arbitrary.js';
export type { ArbitraryOptions, LeafArbitrary } from '../interpreters/arbitrary.js';
export { metadataArbitrary } from '../interpreters/metadataArbitrary.js';
export type { MetadataArbitraryOptions } from '../interpreters/metadataArbitrary.js';
