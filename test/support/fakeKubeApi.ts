/**
 * A fake Kubernetes API server for one CRD and its objects, on 127.0.0.1 and an ephemeral port,
 * implementing exactly the calls `crdconv migrate` and `crdconv check` make:
 *
 * - GET   /apis/apiextensions.k8s.io/v1/customresourcedefinitions/NAME
 * - PATCH /apis/apiextensions.k8s.io/v1/customresourcedefinitions/NAME/status   (merge patch)
 * - PUT   /apis/apiextensions.k8s.io/v1/customresourcedefinitions/NAME/status
 * - GET   /apis/G/V/PLURAL                                 list, every namespace
 * - GET   /apis/G/V/namespaces/NS/PLURAL                   list, one namespace
 * - GET   /apis/G/V[/namespaces/NS]/PLURAL/NAME            get
 * - PATCH /apis/G/V[/namespaces/NS]/PLURAL/NAME            merge patch
 * - PUT   /apis/G/V[/namespaces/NS]/PLURAL/NAME            replace
 *
 * What it models, because the migration depends on it:
 * - one resourceVersion counter for everything, like etcd's revision;
 * - each object remembers the version it is stored in; any write stores it in the CRD's current
 *   storage version, and a write that changes neither content nor stored version is a no-op that
 *   keeps the resourceVersion (the apiserver skips the etcd write when the bytes are identical);
 * - writes carrying metadata.resourceVersion are preconditions: a mismatch is 409 Conflict;
 * - lists in key order (`namespace/name`), `limit` + `continue` tokens and `remainingItemCount`;
 *   `compact()` expires every outstanding token (410 Expired), like etcd compaction; with
 *   `offerInconsistentContinue` the 410 carries a token for the rest of the list;
 * - the CRD status subresource: only `status` is taken, guarded by resourceVersion, and
 *   storedVersions is validated as the apiserver does;
 * - `dryRun=All` validates and answers but persists nothing;
 * - unserved versions are 404; `conversionFailure` makes reads that need conversion fail.
 * Failure injection goes through `hooks`, run before each request; helpers below build common ones.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

type Json = Record<string, unknown>;

export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly contentType: string | undefined;
  readonly body: unknown;
  /** What the request is about. */
  readonly resource: 'crd' | 'crd-status' | 'objects' | 'other';
  readonly verb: 'get' | 'list' | 'patch' | 'put' | 'other';
  readonly version?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** For object writes: 1 for the first write request the server sees, 2 for the next... */
  readonly writeNumber?: number;
}

export interface FakeReply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

/** Runs before the request is handled; a reply short-circuits it. */
export type FakeHook = (req: FakeRequest, fake: FakeKubeApi) => FakeReply | undefined | Promise<FakeReply | undefined>;

interface StoredObject {
  /** The object without apiVersion (the version it is read at decides that). */
  object: Json;
  storedVersion: string;
}

export interface NewObject {
  readonly name: string;
  readonly namespace?: string;
  /** The version the object is stored in; defaults to the CRD's current storage version. */
  readonly storedVersion?: string;
  readonly fields?: Json;
}

export const status = (code: number, reason: string, message: string, extra: Json = {}): FakeReply => ({
  status: code,
  body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason, message, code, ...extra },
});

const clone = <T>(v: T): T => structuredClone(v);
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const result: Json = isObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = mergePatch(result[k], v);
  }
  return result;
}

const encodeToken = (t: { epoch: number; after: string }) => Buffer.from(JSON.stringify(t)).toString('base64url');
const decodeToken = (s: string): { epoch: number; after: string } | undefined => {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as { epoch?: unknown; after?: unknown };
    return typeof t.epoch === 'number' && typeof t.after === 'string' ? { epoch: t.epoch, after: t.after } : undefined;
  } catch {
    return undefined;
  }
};

export class FakeKubeApi {
  /** The CRD as the apiserver would return it (raw JSON). */
  crd: Json;
  readonly objects = new Map<string, StoredObject>();
  readonly requests: FakeRequest[] = [];
  hooks: FakeHook[] = [];
  /** A 410 on an expired token carries a continue token for the rest of the list. */
  offerInconsistentContinue = false;
  /** A string makes a read at `toVersion` of an object stored in `fromVersion` fail with it. */
  conversionFailure: ((object: Json, fromVersion: string, toVersion: string) => string | undefined) | undefined;
  /** Persisted object writes that changed something (new resourceVersion). */
  persistedWrites = 0;
  private revision = 100;
  private epoch = 0;
  private writeRequests = 0;
  private server: Server | undefined;
  private port = 0;

  constructor(crd: Json) {
    this.crd = clone(crd);
    const meta = (this.crd.metadata ?? {}) as Json;
    this.crd.metadata = { uid: 'crd-uid-1', ...meta, resourceVersion: this.nextRevision() };
  }

  static async start(crd: Json): Promise<FakeKubeApi> {
    const fake = new FakeKubeApi(crd);
    await fake.listen();
    return fake;
  }

  private listen(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    return new Promise((resolve) => {
      this.server!.listen(0, '127.0.0.1', () => {
        this.port = (this.server!.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A KubeConfig pointing at this server, built in code. */
  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'fake-user', token: 'fake-token' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'fake-user' }],
      currentContext: 'fake',
    });
    return kc;
  }

  /** The same, as a kubeconfig file's YAML (for the CLI's --kubeconfig). */
  kubeConfigYaml(contextName = 'fake'): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: fake`,
      `  cluster: { server: "${this.url}", insecure-skip-tls-verify: true }`,
      'users:',
      '- name: fake-user',
      '  user: { token: fake-token }',
      'contexts:',
      `- name: ${contextName}`,
      '  context: { cluster: fake, user: fake-user }',
      `current-context: ${contextName}`,
      '',
    ].join('\n');
  }

  // ---- the CRD -------------------------------------------------------------------------------

  private get spec(): Json {
    return this.crd.spec as Json;
  }
  get group(): string {
    return this.spec.group as string;
  }
  get plural(): string {
    return (this.spec.names as Json).plural as string;
  }
  get kind(): string {
    return (this.spec.names as Json).kind as string;
  }
  get namespaced(): boolean {
    return this.spec.scope === 'Namespaced';
  }
  private get versions(): Json[] {
    return this.spec.versions as Json[];
  }
  get storageVersion(): string {
    return this.versions.find((v) => v.storage)?.name as string;
  }
  get storedVersions(): string[] {
    return [...(((this.crd.status as Json | undefined)?.storedVersions as string[] | undefined) ?? [])];
  }
  get crdResourceVersion(): string {
    return (this.crd.metadata as Json).resourceVersion as string;
  }

  /** Changes the CRD as `kubectl apply` would (new resourceVersion). */
  updateCrd(change: (crd: Json) => void): void {
    change(this.crd);
    (this.crd.metadata as Json).resourceVersion = this.nextRevision();
  }

  /** Makes `version` the storage version and records it in storedVersions, as the apiserver does. */
  setStorageVersion(version: string): void {
    this.updateCrd((crd) => {
      for (const v of (crd.spec as Json).versions as Json[]) v.storage = v.name === version;
      const stored = this.storedVersions;
      crd.status = {
        ...((crd.status as Json | undefined) ?? {}),
        storedVersions: stored.includes(version) ? stored : [...stored, version],
      };
    });
  }

  // ---- objects -------------------------------------------------------------------------------

  static key(namespace: string | undefined, name: string): string {
    return namespace ? `${namespace}/${name}` : name;
  }

  addObject(o: NewObject): void {
    const key = FakeKubeApi.key(o.namespace, o.name);
    const metadata: Json = {
      name: o.name,
      uid: `uid-${key}`,
      resourceVersion: this.nextRevision(),
      creationTimestamp: '2024-01-01T00:00:00Z',
    };
    if (o.namespace) metadata.namespace = o.namespace;
    this.objects.set(key, {
      object: { kind: this.kind, metadata, ...(o.fields ?? {}) },
      storedVersion: o.storedVersion ?? this.storageVersion,
    });
  }

  object(key: string): { resourceVersion: string; storedVersion: string } | undefined {
    const stored = this.objects.get(key);
    if (!stored) return undefined;
    return {
      resourceVersion: (stored.object.metadata as Json).resourceVersion as string,
      storedVersion: stored.storedVersion,
    };
  }

  deleteObject(key: string): void {
    this.objects.delete(key);
  }

  /** Another client's write: a new resourceVersion (and storage in the current storage version). */
  touchObject(key: string): void {
    const stored = this.objects.get(key);
    if (!stored) throw new Error(`no object ${key}`);
    (stored.object.metadata as Json).resourceVersion = this.nextRevision();
    stored.storedVersion = this.storageVersion;
  }

  /** Versions objects are stored in, by count. */
  storedVersionCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const o of this.objects.values()) counts[o.storedVersion] = (counts[o.storedVersion] ?? 0) + 1;
    return counts;
  }

  /** etcd compaction: every continue token handed out so far expires. */
  compact(): void {
    this.epoch += 1;
  }

  /** Requests of one kind, e.g. `requestsOf('objects', 'patch')`. */
  requestsOf(resource: FakeRequest['resource'], verb: FakeRequest['verb']): FakeRequest[] {
    return this.requests.filter((r) => r.resource === resource && r.verb === verb);
  }

  private nextRevision(): string {
    this.revision += 1;
    return String(this.revision);
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let reply: FakeReply;
    try {
      const raw = await new Promise<string>((resolve, reject) => {
        let data = '';
        req.setEncoding('utf8');
        req.on('data', (c: string) => (data += c));
        req.on('end', () => resolve(data));
        req.on('error', reject);
      });
      const request = this.describe(req, raw);
      this.requests.push(request);
      reply = (await this.runHooks(request)) ?? this.route(request);
    } catch (err) {
      reply = status(500, 'InternalError', `fake apiserver: ${(err as Error).message}`);
    }
    res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
    res.end(JSON.stringify(reply.body));
  }

  private async runHooks(request: FakeRequest): Promise<FakeReply | undefined> {
    for (const hook of this.hooks) {
      const reply = await hook(request, this);
      if (reply) return reply;
    }
    return undefined;
  }

  private describe(req: IncomingMessage, raw: string): FakeRequest {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const parts = url.pathname.split('/').filter(Boolean);
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const base = {
      method,
      path: url.pathname,
      query: url.searchParams,
      contentType: req.headers['content-type'],
      body,
    };
    const verbOf = (list: boolean): FakeRequest['verb'] =>
      method === 'GET' ? (list ? 'list' : 'get') : method === 'PATCH' ? 'patch' : method === 'PUT' ? 'put' : 'other';

    // /apis/apiextensions.k8s.io/v1/customresourcedefinitions/NAME[/status]
    if (parts[1] === 'apiextensions.k8s.io' && parts[3] === 'customresourcedefinitions' && parts[4]) {
      return { ...base, resource: parts[5] === 'status' ? 'crd-status' : 'crd', verb: verbOf(false), name: parts[4] };
    }
    // /apis/G/V/[namespaces/NS/]PLURAL[/NAME]
    if (parts[0] === 'apis' && parts[1] === this.group) {
      const version = parts[2];
      const rest = parts.slice(3);
      const namespace = rest[0] === 'namespaces' && rest.length >= 3 ? rest[1] : undefined;
      const tail = namespace !== undefined ? rest.slice(2) : rest;
      if (tail[0] === this.plural && tail.length <= 2) {
        const name = tail[1];
        const verb = verbOf(name === undefined);
        const writeNumber = verb === 'patch' || verb === 'put' ? ++this.writeRequests : undefined;
        return {
          ...base,
          resource: 'objects',
          verb,
          ...(version !== undefined ? { version } : {}),
          ...(namespace !== undefined ? { namespace } : {}),
          ...(name !== undefined ? { name } : {}),
          ...(writeNumber !== undefined ? { writeNumber } : {}),
        };
      }
    }
    return { ...base, resource: 'other', verb: 'other' };
  }

  private route(r: FakeRequest): FakeReply {
    if (r.resource === 'crd' || r.resource === 'crd-status') return this.routeCrd(r);
    if (r.resource === 'objects') return this.routeObjects(r);
    return status(404, 'NotFound', `the server could not find the requested resource (${r.method} ${r.path})`);
  }

  // ---- CRD handlers --------------------------------------------------------------------------

  private routeCrd(r: FakeRequest): FakeReply {
    const name = (this.crd.metadata as Json).name as string;
    if (r.name !== name)
      return status(404, 'NotFound', `customresourcedefinitions.apiextensions.k8s.io "${r.name}" not found`);
    if (r.verb === 'get') return { status: 200, body: this.crdView() };
    if (r.resource !== 'crd-status' || (r.verb !== 'patch' && r.verb !== 'put')) {
      return status(405, 'MethodNotAllowed', `fake apiserver: ${r.method} ${r.path} not implemented`);
    }
    if (r.verb === 'patch' && r.contentType !== 'application/merge-patch+json') {
      return status(415, 'UnsupportedMediaType', `fake apiserver: only merge patches, got ${r.contentType}`);
    }
    const body = isObject(r.body) ? r.body : {};
    const precondition = (body.metadata as Json | undefined)?.resourceVersion;
    if (r.verb === 'put' && precondition === undefined)
      return status(422, 'Invalid', 'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
    if (precondition !== undefined && precondition !== this.crdResourceVersion) {
      return status(
        409,
        'Conflict',
        `Operation cannot be fulfilled on customresourcedefinitions.apiextensions.k8s.io "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    // The status subresource takes status only, whatever else the request carries.
    const newStatus = (r.verb === 'patch' ? mergePatch(this.crd.status, body.status) : body.status) as Json | undefined;
    const problem = this.storedVersionsProblem(newStatus?.storedVersions);
    if (problem)
      return status(422, 'Invalid', `CustomResourceDefinition.apiextensions.k8s.io "${name}" is invalid: ${problem}`);
    if (r.query.get('dryRun') === 'All') return { status: 200, body: { ...this.crdView(), status: newStatus } };
    this.crd.status = newStatus;
    (this.crd.metadata as Json).resourceVersion = this.nextRevision();
    return { status: 200, body: this.crdView() };
  }

  /** The apiserver's own checks on status.storedVersions. */
  private storedVersionsProblem(stored: unknown): string | undefined {
    if (!Array.isArray(stored) || stored.length === 0)
      return 'status.storedVersions: Invalid value: must have at least one stored version';
    const names = this.versions.map((v) => v.name);
    const missing = stored.find((v) => !names.includes(v as string));
    if (missing !== undefined)
      return `status.storedVersions[${stored.indexOf(missing)}]: Invalid value: "${String(missing)}": must appear in spec.versions`;
    if (!stored.includes(this.storageVersion))
      return `status.storedVersions: Invalid value: must have the storage version ${this.storageVersion}`;
    return undefined;
  }

  private crdView(): Json {
    return { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', ...clone(this.crd) };
  }

  // ---- object handlers -----------------------------------------------------------------------

  private routeObjects(r: FakeRequest): FakeReply {
    const version = r.version ?? '';
    if (!this.versions.some((v) => v.name === version && v.served)) {
      return status(404, 'NotFound', `the server could not find the requested resource (${r.method} ${r.path})`);
    }
    if (r.verb === 'list') return this.list(r, version);
    const key = FakeKubeApi.key(r.namespace, r.name ?? '');
    const stored = this.objects.get(key);
    const notFound = status(404, 'NotFound', `${this.plural}.${this.group} "${r.name}" not found`, {
      details: { name: r.name, group: this.group, kind: this.plural },
    });
    if (!stored) return notFound;
    if (r.verb === 'get') {
      const failed = this.convert(stored, version);
      return typeof failed === 'string' ? status(500, 'InternalError', failed) : { status: 200, body: failed };
    }
    if (r.verb === 'patch' || r.verb === 'put') return this.write(r, key, stored, version);
    return status(405, 'MethodNotAllowed', `fake apiserver: ${r.method} not implemented`);
  }

  /** The object at `version`, or the conversion failure message. */
  private convert(stored: StoredObject, version: string): Json | string {
    if (stored.storedVersion !== version && this.conversionFailure) {
      const why = this.conversionFailure(stored.object, stored.storedVersion, version);
      if (why !== undefined)
        return `conversion webhook for ${this.group}/${stored.storedVersion}, Kind=${this.kind} failed: ${why}`;
    }
    return { apiVersion: `${this.group}/${version}`, ...clone(stored.object) };
  }

  private list(r: FakeRequest, version: string): FakeReply {
    const limit = Number(r.query.get('limit') ?? '0');
    const token = r.query.get('continue');
    let after = '';
    if (token) {
      const decoded = decodeToken(token);
      if (!decoded) return status(400, 'BadRequest', 'continue key is not valid');
      if (decoded.epoch !== this.epoch) {
        const message =
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results.';
        const extra = this.offerInconsistentContinue
          ? { metadata: { continue: encodeToken({ epoch: this.epoch, after: decoded.after }) } }
          : {};
        return status(410, 'Expired', message, extra);
      }
      after = decoded.after;
    }
    const keys = [...this.objects.keys()]
      .filter((k) => r.namespace === undefined || k.startsWith(`${r.namespace}/`))
      .filter((k) => k > after)
      .sort();
    const pageKeys = limit > 0 ? keys.slice(0, limit) : keys;
    const items: Json[] = [];
    for (const k of pageKeys) {
      const converted = this.convert(this.objects.get(k)!, version);
      if (typeof converted === 'string') return status(500, 'InternalError', converted);
      items.push(converted);
    }
    const remaining = keys.length - pageKeys.length;
    const last = pageKeys[pageKeys.length - 1];
    const metadata: Json = { resourceVersion: String(this.revision) };
    if (remaining > 0 && last !== undefined) {
      metadata.continue = encodeToken({ epoch: this.epoch, after: last });
      metadata.remainingItemCount = remaining;
    }
    return { status: 200, body: { apiVersion: `${this.group}/${version}`, kind: `${this.kind}List`, metadata, items } };
  }

  private write(r: FakeRequest, key: string, stored: StoredObject, version: string): FakeReply {
    if (r.verb === 'patch' && r.contentType !== 'application/merge-patch+json') {
      return status(415, 'UnsupportedMediaType', `fake apiserver: only merge patches, got ${r.contentType}`);
    }
    const body = isObject(r.body) ? r.body : {};
    const current = stored.object.metadata as Json;
    const precondition = (body.metadata as Json | undefined)?.resourceVersion;
    if (precondition !== undefined && precondition !== current.resourceVersion) {
      return status(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${this.plural}.${this.group} "${r.name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    const incoming = r.verb === 'patch' ? (mergePatch(stored.object, body) as Json) : clone(body);
    // Metadata other than labels and annotations belongs to the server.
    const meta = (incoming.metadata ?? {}) as Json;
    incoming.metadata = { ...current, labels: meta.labels, annotations: meta.annotations };
    for (const k of ['labels', 'annotations'])
      if ((incoming.metadata as Json)[k] === undefined) delete (incoming.metadata as Json)[k];
    delete incoming.apiVersion;
    const changed =
      JSON.stringify(incoming) !== JSON.stringify(stored.object) || stored.storedVersion !== this.storageVersion;
    const dryRun = r.query.get('dryRun') === 'All';
    if (changed && !dryRun) {
      (incoming.metadata as Json).resourceVersion = this.nextRevision();
      stored.object = incoming;
      stored.storedVersion = this.storageVersion;
      this.persistedWrites += 1;
    }
    const view = this.convert(dryRun ? { object: incoming, storedVersion: this.storageVersion } : stored, version);
    return typeof view === 'string' ? status(500, 'InternalError', view) : { status: 200, body: view };
  }
}

// ---- failure injection ---------------------------------------------------------------------------

const isObjectWrite = (r: FakeRequest) => r.resource === 'objects' && (r.verb === 'patch' || r.verb === 'put');
const keyOf = (r: FakeRequest) => FakeKubeApi.key(r.namespace, r.name ?? '');

/** The Nth object write request (1-based) gets `code` (500 by default). */
export const failNthWrite =
  (n: number, code = 500, message = 'etcdserver: request timed out'): FakeHook =>
  (r) =>
    isObjectWrite(r) && r.writeNumber === n
      ? status(code, code === 500 ? 'InternalError' : 'Unknown', message)
      : undefined;

/** Every write to `key` fails with `code`. */
export const failWritesTo =
  (key: string, code = 422, message = 'spec.replicas: Invalid value: -1: must be >= 0'): FakeHook =>
  (r) =>
    isObjectWrite(r) && keyOf(r) === key
      ? status(code, code === 422 ? 'Invalid' : 'InternalError', message)
      : undefined;

/** Someone else writes `key` just before our first `times` writes to it: each one conflicts. */
export const conflictOnWritesTo = (key: string, times = 1): FakeHook => {
  let left = times;
  return (r, fake) => {
    if (isObjectWrite(r) && keyOf(r) === key && left > 0) {
      left -= 1;
      fake.touchObject(key);
    }
    return undefined;
  };
};

/** `victim` is deleted just before the first write to `trigger` (the two may be the same). */
export const deleteWhenWriting = (trigger: string, victim: string): FakeHook => {
  let done = false;
  return (r, fake) => {
    if (!done && isObjectWrite(r) && keyOf(r) === trigger) {
      done = true;
      fake.deleteObject(victim);
    }
    return undefined;
  };
};

/** Runs `action` once, just before the Nth object write request. */
export const beforeNthWrite =
  (n: number, action: (fake: FakeKubeApi) => void): FakeHook =>
  (r, fake) => {
    if (isObjectWrite(r) && r.writeNumber === n) action(fake);
    return undefined;
  };

/** Runs `action` once, just before the Nth list request. */
export const beforeNthList = (n: number, action: (fake: FakeKubeApi) => void): FakeHook => {
  let seen = 0;
  return (r, fake) => {
    if (r.resource === 'objects' && r.verb === 'list' && ++seen === n) action(fake);
    return undefined;
  };
};

// ---- fixtures ------------------------------------------------------------------------------------

/** A two-version CRD, v1 stored first and v2 the storage version now: the state before a migration. */
export function twoVersionCrd(options: { scope?: 'Namespaced' | 'Cluster'; name?: string } = {}): Json {
  const scope = options.scope ?? 'Namespaced';
  const schema = (props: Json) => ({ openAPIV3Schema: { type: 'object', properties: props } });
  return {
    metadata: { name: options.name ?? 'crontabs.stable.example.com' },
    spec: {
      group: 'stable.example.com',
      names: { kind: 'CronTab', plural: 'crontabs', singular: 'crontab', listKind: 'CronTabList' },
      scope,
      versions: [
        { name: 'v1', served: true, storage: false, schema: schema({ hostPort: { type: 'string' } }) },
        {
          name: 'v2',
          served: true,
          storage: true,
          schema: schema({ host: { type: 'string' }, port: { type: 'string' } }),
        },
      ],
      conversion: {
        strategy: 'Webhook',
        webhook: {
          conversionReviewVersions: ['v1'],
          clientConfig: {
            service: { name: 'crdconv', namespace: 'crdconv-system', path: '/convert', port: 443 },
            caBundle: 'Q0EgQlVORExF',
          },
        },
      },
    },
    status: { storedVersions: ['v1', 'v2'], acceptedNames: { kind: 'CronTab', plural: 'crontabs' } },
  };
}
