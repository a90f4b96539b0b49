import { expect } from 'chai';
import { registry } from '../../converters/index.js';
import { STASH_ANNOTATION } from '../../src/convert/stash.js';
import { convertDocuments } from '../../src/manifests/convertDocuments.js';
import { ManifestError, parseManifest } from '../../src/manifests/documents.js';
import { validateDocuments } from '../../src/manifests/validateDocuments.js';
import { renderManifest } from '../../src/manifests/write.js';

const MIXED = `# databases of team a
apiVersion: platform.example.com/v1alpha1
kind: Database
metadata:
  name: orders
  namespace: team-a
spec:
  image: postgres:16.2
  storageBytes: 9223372036854775807
  port: 5432
---
apiVersion: v1
kind: ConfigMap   # not ours: must pass through byte for byte
metadata: {name: settings}
data:
  big: "12345678901234567890"
---
apiVersion: platform.example.com/v1
kind: Database
metadata:
  name: ledger
spec:
  engine: postgres
  capacityBytes: 1
  maintenanceWindow: {day: Sunday, startHour: 3}
`;

describe('manifests', () => {
  it('reads multi-document YAML with exact integers and keeps each document source', () => {
    const file = parseManifest('m.yaml', MIXED);
    expect(file.documents).to.have.length(3);
    expect((file.documents[0]!.value as any).spec.storageBytes).to.equal(9223372036854775807n);
    expect((file.documents[0]!.value as any).spec.port).to.equal(5432);
    expect(file.documents[1]!.source).to.contain('# not ours');
  });

  it('converts registered kinds, leaves others untouched and keeps document order', () => {
    const file = parseManifest('m.yaml', MIXED);
    const result = convertDocuments(registry, file, 'v1beta1');
    expect(result.problems).to.deep.equal([]);
    expect(result.converted).to.equal(2);
    const out = renderManifest(file, result.documents);
    const again = parseManifest('out.yaml', out);
    const [a, b, c] = again.documents.map((d) => d.value as any);
    expect(a.apiVersion).to.equal('platform.example.com/v1beta1');
    expect(a.spec).to.deep.include({ engine: 'postgres', version: '16.2', storageBytes: 9223372036854775807n });
    expect(out).to.contain('storageBytes: 9223372036854775807');
    expect(out).to.contain('kind: ConfigMap   # not ours: must pass through byte for byte\nmetadata: {name: settings}');
    expect(b.kind).to.equal('ConfigMap');
    expect(c.apiVersion).to.equal('platform.example.com/v1beta1');
    expect(c.metadata.annotations).to.have.property(STASH_ANNOTATION);
    // and back: the stash restores what v1beta1 could not hold
    const back = convertDocuments(registry, again, 'v1');
    const ledger = back.documents[2]!.value as any;
    expect(ledger.spec.maintenanceWindow).to.deep.equal({ day: 'Sunday', startHour: 3 });
    expect(ledger.metadata).to.not.have.property('annotations');
  });

  it('names a kind its group does not serve (a typo), in convert and in validate', () => {
    const file = parseManifest('t.yaml', 'apiVersion: platform.example.com/v1\nkind: Databse\nmetadata: {name: x}\n');
    // The kinds the registry serves in the group, whatever else is registered there.
    const inGroup = registry.kinds.filter((k) => k.def.group === 'platform.example.com').map((k) => k.def.kind);
    expect(inGroup).to.include('Database');
    const message = `t.yaml#0 Databse x: no kind Databse is served in group platform.example.com (kinds: ${inGroup.join(', ')})`;
    expect(convertDocuments(registry, file, 'v1beta1').problems).to.deep.equal([message]);
    expect(validateDocuments(registry, file).problems).to.deep.equal([message]);
  });

  it('restricts --to group/version to that group', () => {
    const file = parseManifest('m.yaml', MIXED);
    expect(convertDocuments(registry, file, 'stable.example.com/v2').converted).to.equal(0);
    expect(convertDocuments(registry, file, 'platform.example.com/v1').converted).to.equal(1);
  });

  it('reports a resource it cannot convert, naming file, document and object', () => {
    const file = parseManifest(
      'bad.yaml',
      'apiVersion: platform.example.com/v1alpha1\nkind: Database\nmetadata: {name: x}\nspec: {image: 5}\n',
    );
    const result = convertDocuments(registry, file, 'v1');
    expect(result.problems[0]).to.match(/^bad\.yaml#0 Database x: .*\.spec\.image: expected/);
    expect(convertDocuments(registry, file, 'v7').problems[0]).to.contain('version v7 is not declared for Database');
  });

  it('reads JSON objects and Lists and writes JSON back with exact integers', () => {
    const list =
      '{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"stable.example.com/v1","kind":"Backend","metadata":{"name":"a"},"hostPort":"a:1"}]}';
    const file = parseManifest('l.json', list);
    expect(file.format).to.equal('json');
    const out = renderManifest(file, convertDocuments(registry, file, 'v2').documents);
    expect(JSON.parse(out)).to.deep.equal({
      apiVersion: 'v1',
      kind: 'List',
      items: [{ apiVersion: 'stable.example.com/v2', kind: 'Backend', metadata: { name: 'a' }, host: 'a', port: '1' }],
    });
    const big = parseManifest(
      'b.json',
      '{"apiVersion":"platform.example.com/v1","kind":"Database","metadata":{"name":"b"},"spec":{"engine":"pg","capacityBytes":9007199254740993}}',
    );
    expect(renderManifest(big, convertDocuments(registry, big, 'v1alpha1').documents)).to.contain(
      '"storageBytes": 9007199254740993',
    );
  });

  it('validates strictly: required fields, bounds and types, one line per problem', () => {
    const file = parseManifest(
      'v.yaml',
      `apiVersion: platform.example.com/v1
kind: Database
metadata: {name: a, namespace: ns}
spec:
  capacityBytes: -1
  replicas: 1000
  users: [{roles: [admin]}]
---
apiVersion: platform.example.com/v9
kind: Database
metadata: {name: b}
---
apiVersion: v1
kind: Secret
metadata: {name: skipped}
---
- not an object
`,
    );
    const report = validateDocuments(registry, file);
    expect(report.checked).to.equal(2);
    expect(report.skipped).to.equal(1);
    expect(report.problems).to.include('v.yaml#0 Database ns/a: .spec.engine: required string(minLength=1) missing');
    expect(
      report.problems.some((p) =>
        p.startsWith('v.yaml#0 Database ns/a: .spec.capacityBytes: expected Int64(minimum=0)'),
      ),
    ).to.equal(true);
    expect(
      report.problems.some((p) =>
        p.startsWith('v.yaml#0 Database ns/a: .spec.replicas: expected Int32(minimum=0, maximum=100)'),
      ),
    ).to.equal(true);
    expect(report.problems.some((p) => p.startsWith('v.yaml#0 Database ns/a: .spec.users[0].name: required'))).to.equal(
      true,
    );
    expect(report.problems).to.include(
      'v.yaml#1 Database b: version v9 is not declared for Database (declared: v1alpha1, v1beta1, v1)',
    );
    expect(report.problems).to.include('v.yaml#3: not a Kubernetes object (a list)');
  });

  it('names the line of a YAML syntax error, and refuses empty files', () => {
    expect(() => parseManifest('x.yaml', 'a: [1\nb: 2\n')).to.throw(
      ManifestError,
      /x\.yaml: invalid YAML at line 2, column 1/,
    );
    expect(() => parseManifest('e.yaml', '  \n')).to.throw(ManifestError, /e\.yaml: the file is empty/);
    expect(() => parseManifest('c.yaml', '# only a comment\n')).to.throw(ManifestError, /no documents/);
    expect(() => parseManifest('j.json', '{"a":')).to.throw(ManifestError, /j\.json: invalid JSON: .*line 1/);
  });
});
