import { defineKind } from '../../../src/index.js';
import { v1 } from './v1.js';
import { v2 } from './v2.js';
import { v1v2 } from './v1-v2.js';

/** The kubebuilder multi-version tutorial's CronJob (book.kubebuilder.io, "multiversion-tutorial"). */
export const cronJob = defineKind({
  group: 'batch.tutorial.kubebuilder.io',
  kind: 'CronJob',
  plural: 'cronjobs',
  scope: 'Namespaced',
  versions: [v1, v2],
  converters: [...v1v2],
});
