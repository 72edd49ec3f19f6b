import { describe, expect, it } from 'vitest';
import { parseManifests } from '#core/manifests/load.ts';

const POD_YAML = `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  containers: [{ name: web, image: nginx }]
`;

describe('parseManifests', () => {
  it('reads every document of a multi-document YAML file with its index', () => {
    const text = `${POD_YAML}---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n`;

    const { objects, errors } = parseManifests(text, 'all.yaml');

    expect(errors).toEqual([]);
    expect(objects.map((o) => [o.object.kind, o.file, o.index])).toEqual([
      ['Pod', 'all.yaml', 0],
      ['Namespace', 'all.yaml', 1],
    ]);
  });

  it('skips empty documents such as a trailing separator or a comment-only document', () => {
    const { objects, errors } = parseManifests(`---\n# nothing here\n---\n${POD_YAML}---\n`, 'a.yaml');

    expect(errors).toEqual([]);
    expect(objects).toHaveLength(1);
    // A leading `---` opens the first document rather than ending an empty one.
    expect(objects[0]?.index).toBe(1);
  });

  it('expands List kinds into their items, remembering the item position', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } },
      ],
    };

    const { objects } = parseManifests(JSON.stringify(list), 'list.json');

    expect(objects.map((o) => [o.object.metadata?.name, o.index, o.item])).toEqual([
      ['a', 0, 0],
      ['b', 0, 1],
    ]);
  });

  it('reads a JSON array of objects, one index per element', () => {
    const array = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } },
    ];

    const { objects } = parseManifests(JSON.stringify(array), 'array.json');

    expect(objects.map((o) => o.index)).toEqual([0, 1]);
  });

  it('reports a broken document and still loads the others', () => {
    const text = `${POD_YAML}---\nkind: [unclosed\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n`;

    const { objects, errors } = parseManifests(text, 'mixed.yaml');

    expect(objects.map((o) => o.object.kind)).toEqual(['Pod', 'Namespace']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: 'mixed.yaml', index: 1 });
    expect(errors[0]?.reason).toMatch(/invalid YAML/);
  });

  it('reports objects without kind or apiVersion, naming what was received', () => {
    const text = 'metadata: {name: x}\n---\nkind: Pod\n---\n42\n';

    const { objects, errors } = parseManifests(text, 'bad.yaml');

    expect(objects).toEqual([]);
    expect(errors.map((e) => [e.index, e.reason])).toEqual([
      [0, 'object has no "kind" (got nothing); every manifest needs apiVersion and kind'],
      [1, 'Pod has no "apiVersion" (got nothing)'],
      [2, 'expected a Kubernetes object, got number 42'],
    ]);
  });

  it('reports invalid JSON with the parser message', () => {
    const { objects, errors } = parseManifests('{"kind": "Pod",', 'broken.json');

    expect(objects).toEqual([]);
    expect(errors[0]?.reason).toMatch(/^invalid JSON: /);
  });

  it('refuses a YAML alias bomb instead of expanding it', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 9; level++) {
      const previous = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      lines.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`);
    }
    lines.push('kind: Pod', 'apiVersion: v1');

    const { objects, errors } = parseManifests(lines.join('\n'), 'bomb.yaml');

    expect(objects).toEqual([]);
    expect(errors[0]?.reason).toMatch(/alias/i);
  });
});
