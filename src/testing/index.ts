/**
 * `crdconv/testing`: the test kit for your kinds, a separate entry point from `crdconv` because
 * it runs on fast-check and under mocha (optional peer dependencies: install them in your
 * project's devDependencies; roundTripSuite uses the describe/it of the mocha running the file),
 * which the webhook itself never loads.
 *
 *   import { createRegistry } from 'crdconv';
 *   import { roundTripSuite } from 'crdconv/testing';
 *   import { kinds } from '../src/kinds/index.js';
 *
 *   roundTripSuite(createRegistry(kinds), { generators: { leaves: new Map([['Color', colorArb]]) } });
 */
export * from './roundTripSuite.js';
export {
  arbitraryFor,
  builtinLeafArbitraries,
  mergeGenerators,
  registerLeafArbitrary,
} from './generators/arbitrary.js';
export type { ArbitraryOptions, Generators, LeafArbitrary } from './generators/arbitrary.js';
export { metadataArbitrary } from './generators/metadataArbitrary.js';
export type { MetadataArbitraryOptions } from './generators/metadataArbitrary.js';
