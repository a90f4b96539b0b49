import { createRegistry, type Kind } from '../src/index.js';
import { backend } from './stable.example.com/Backend/index.js';
import { cronJob } from './batch.tutorial.kubebuilder.io/CronJob/index.js';
import { database } from './platform.example.com/Database/index.js';

/**
 * The example kinds shipped with crdconv: the kinds module every command uses when nothing names
 * another (no --kinds, CRDCONV_KINDS or crdconv.config.json), so `npm start` serves them. Your own
 * kinds live in your project, in a module of the same shape (see docs/adopting.md).
 */
export const kinds: Kind[] = [backend, cronJob, database];

export const registry = createRegistry(kinds);
