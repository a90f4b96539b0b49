import { propertyKey, type Json } from './codec.js';
import { isJsonObject } from '../json/objects.js';

/**
 * The converter skeleton between two neighbouring versions: every field whose type is the same
 * in both is carried as it is (objects that differ inside are rebuilt field by field); every field
 * that differs, or that only one version has, is left out and listed in a comment with its types,
 * so the author writes only the real mapping. Left out is safe meanwhile: crdconv's stash keeps
 * what a converter drops, and gives it back on the way back.
 */

/** What decides a field's TypeScript type (not its documentation or validation). */
export function shape(node: unknown): unknown {
  if (!isJsonObject(node)) return null;
  const s: Json = {};
  if (node['x-kubernetes-int-or-string'] === true) s.intOrString = true;
  else if (node.type !== undefined) s.type = node.type;
  if (node.type === 'integer') s.int32 = node.format === 'int32';
  if (node.nullable === true) s.nullable = true;
  if (Array.isArray(node.enum)) s.enum = [...node.enum].map((v) => JSON.stringify(v)).sort();
  if (isJsonObject(node.properties)) {
    s.properties = Object.fromEntries(
      Object.keys(node.properties)
        .sort()
        .map((k) => [k, shape((node.properties as Json)[k])]),
    );
  } else if (node.type === 'object' && node.additionalProperties === undefined) {
    s.free = node['x-kubernetes-preserve-unknown-fields'] === true;
  }
  if (node.items !== undefined) s.items = shape(node.items);
  if (isJsonObject(node.additionalProperties)) s.values = shape(node.additionalProperties);
  return s;
}

const same = (a: unknown, b: unknown) => JSON.stringify(shape(a)) === JSON.stringify(shape(b));

/** A short type for the comment: `string`, `array of object {a, b}`, `map of integer (int32) | null`. */
export function describeType(node: unknown): string {
  if (!isJsonObject(node)) return 'unknown';
  let d: string;
  if (node['x-kubernetes-int-or-string'] === true) d = 'int-or-string';
  else if (Array.isArray(node.enum)) d = `enum ${node.enum.map((v) => JSON.stringify(v)).join('|')}`;
  else if (node.type === 'array') d = `array of ${describeType(node.items)}`;
  else if (node.type === 'object' && isJsonObject(node.additionalProperties))
    d = `map of ${describeType(node.additionalProperties)}`;
  else if (node.type === 'object' && isJsonObject(node.properties)) {
    const keys = Object.keys(node.properties);
    d = `object {${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', ...' : ''}}`;
  } else if (node.type === 'object') {
    d = node['x-kubernetes-preserve-unknown-fields'] === true ? 'object (any fields)' : 'object (no fields)';
  } else if (node.type === undefined) d = 'any JSON';
  else d = `${String(node.type)}${node.format ? ` (${String(node.format)})` : ''}`;
  return node.nullable === true ? `${d} | null` : d;
}

const isRecordObject = (n: unknown): n is Json =>
  isJsonObject(n) && n.type === 'object' && isJsonObject(n.properties) && n.nullable !== true;

interface Context {
  readonly from: string;
  readonly to: string;
  readonly differences: string[];
  counter: number;
}

/** An expression converting `x` (a defined value of the `a` node) into a value of the `b` node. */
function convert(a: Json, b: Json, x: string, path: string, ctx: Context, indent = '  '): string {
  if (same(a, b)) return x;
  const aProps = a.properties as Json;
  const bProps = b.properties as Json;
  const dropped: string[] = [];
  const rebuilt: Array<[string, string, string]> = [];
  for (const key of Object.keys(aProps)) {
    const at = path ? `${path}.${key}` : key;
    const [fa, fb] = [aProps[key], bProps[key]];
    if (fb === undefined) {
      ctx.differences.push(`${at}: only in ${ctx.from} (${describeType(fa)})`);
      dropped.push(key);
    } else if (same(fa, fb)) {
      continue;
    } else if (isRecordObject(fa) && isRecordObject(fb)) {
      const name = `f${ctx.counter++}`;
      rebuilt.push([key, name, convert(fa, fb, name, at, ctx, `${indent}    `)]);
    } else {
      ctx.differences.push(`${at}: ${ctx.from} ${describeType(fa)}; ${ctx.to} ${describeType(fb)}`);
      dropped.push(key);
      const [ia, ib] = [isJsonObject(fa) ? fa.items : undefined, isJsonObject(fb) ? fb.items : undefined];
      if (isRecordObject(ia) && isRecordObject(ib)) {
        // What differs inside the items, for the author (the list is left out whole).
        convert(ia, ib, 'item', `${at}[]`, { ...ctx, counter: 0 }, indent);
      }
    }
  }
  for (const key of Object.keys(bProps)) {
    if (!(key in aProps))
      ctx.differences.push(`${path ? `${path}.` : ''}${key}: only in ${ctx.to} (${describeType(bProps[key])})`);
  }
  if (!dropped.length && !rebuilt.length) return x;
  const bindings = [
    ...dropped.map((k) => `${propertyKey(k)}: _${ctx.counter++}`),
    ...rebuilt.map(([k, name]) => `${propertyKey(k)}: ${name}`),
    '...rest',
  ];
  const inner = `${indent}  `;
  const sources = rebuilt.map(
    ([k, name, expr]) => `\n${inner}  ${name} === undefined ? {} : { ${propertyKey(k)}: ${expr} }`,
  );
  const result = sources.length ? `Object.assign(\n${inner}  rest,${sources.join(',')},\n${inner})` : 'rest';
  return `((v) => {\n${inner}const { ${bindings.join(', ')} } = v;\n${inner}return ${result};\n${indent}})(${x})`;
}

export function converterSource(aName: string, a: Json, bName: string, b: Json, from: string): string {
  const up: Context = { from: aName, to: bName, differences: [], counter: 0 };
  const down: Context = { from: bName, to: aName, differences: [], counter: 0 };
  const upExpr = convert(a, b, 'body', '', up);
  const downExpr = convert(b, a, 'body', '', down);
  const name = `${aName}${bName}`;
  const listed = up.differences.length
    ? [
        ` * What differs (left out until you map it; meanwhile crdconv's stash keeps it for the way back):`,
        ...up.differences.map((d) => ` * - ${d}`),
        ` * Every other field has the same type in both versions and is carried as it is.`,
      ]
    : [' * The two versions have the same fields and types: the bodies are carried as they are.'];
  return [
    `import { between } from '${from}';`,
    `import { ${aName} } from './${aName}.js';`,
    `import { ${bName} } from './${bName}.js';`,
    '',
    '/**',
    ` * ${aName} <-> ${bName}.`,
    ...listed,
    ' */',
    `export const ${name} = between(${aName}, ${bName}, {`,
    `  up: (body) => ${upExpr},`,
    `  down: (body) => ${downExpr},`,
    '});',
    '',
  ].join('\n');
}
