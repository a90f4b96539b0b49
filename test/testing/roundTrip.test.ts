import { registry } from '../../converters/index.js';
import { roundTripSuite } from '../../src/testing/roundTripSuite.js';
import { shippedGenerators } from '../converters/generators.js';

// The shipped kinds, every served version pair, derived from the codecs, with the generators of
// the values their converters parse (cron lines, host:port, image references).
roundTripSuite(registry, { generators: shippedGenerators });
