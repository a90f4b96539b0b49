import { defineKind } from 'crdconv';
import { v1alpha1 } from './v1alpha1.js';
import { v1 } from './v1.js';
import { v1alpha1v1 } from './v1alpha1-v1.js';

export const widget = defineKind({
  group: 'acme.example.org',
  kind: 'Widget',
  plural: 'widgets',
  scope: 'Namespaced',
  versions: [v1alpha1, v1],
  converters: [...v1alpha1v1],
});
