import { defineKind } from '../../../src/index.js';
import { v1alpha1 } from './v1alpha1.js';
import { v1beta1 } from './v1beta1.js';
import { v1 } from './v1.js';
import { v1alpha1v1beta1 } from './v1alpha1-v1beta1.js';
import { v1beta1v1 } from './v1beta1-v1.js';

/**
 * A managed database, designed to exercise what real CRDs do across three versions: a field split
 * in two (image), a rename (storageBytes -> capacityBytes), a field only the newest version holds
 * (maintenanceWindow), int64, int-or-string, a free-keyed map, a list of objects, nullable and
 * optional fields, and status.
 */
export const database = defineKind({
  group: 'platform.example.com',
  kind: 'Database',
  plural: 'databases',
  shortNames: ['db'],
  scope: 'Namespaced',
  versions: [v1alpha1, v1beta1, v1],
  converters: [...v1alpha1v1beta1, ...v1beta1v1],
});
