import { registry } from '../../converters/index.js';
import { roundTripSuite } from '../../src/testing/roundTripSuite.js';

// The lossless guarantee for the shipped kinds: every served version pair, derived from the codecs.
roundTripSuite(registry);
