import { createRegistry, type Kind } from '../src/index.js';
import { backend } from './stable.example.com/Backend/index.js';
import { cronJob } from './batch.tutorial.kubebuilder.io/CronJob/index.js';
import { database } from './platform.example.com/Database/index.js';

/** Every kind this deployment converts. Add yours here: one folder per group/kind. */
export const kinds: Kind[] = [backend, cronJob, database];

export const registry = createRegistry(kinds);
