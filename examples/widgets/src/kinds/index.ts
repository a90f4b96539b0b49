import type { Kind } from 'crdconv';
import { widget } from './acme.example.org/Widget/index.js';

/**
 * Every kind this webhook converts: what `crdconv serve|crds|convert|validate` load, through
 * crdconv.config.json (the TypeScript, with tsx) or `--kinds dist/kinds/index.js` (compiled).
 */
export const kinds: Kind[] = [widget];
