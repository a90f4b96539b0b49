import { defineKind } from '../../../src/index.js';
import { v1 } from './v1.js';
import { v2 } from './v2.js';
import { v1v2 } from './v1-v2.js';

/** The Kubernetes e2e conversion webhook example (test/e2e/apimachinery/crd_conversion_webhook.go). */
export const backend = defineKind({
  group: 'stable.example.com',
  kind: 'Backend',
  plural: 'backends',
  scope: 'Namespaced',
  versions: [v1, v2],
  converters: [...v1v2],
});
