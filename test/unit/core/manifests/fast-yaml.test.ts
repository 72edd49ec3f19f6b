import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { parseFastYaml, Unsupported } from '#core/manifests/fast-yaml.ts';
import { parseManifests } from '#core/manifests/load.ts';
import { clusterObjects, seededRandom } from '#test/support/cluster-manifests.ts';
import { fixturePath } from '#test/support/fixtures.ts';

/** What the `yaml` package makes of a file: each document's value, or ERR for a broken one. */
function reference(text: string): unknown[] {
  return parseAllDocuments(text).map((document) => (document.errors.length > 0 ? 'ERR' : document.toJS()));
}

function yamlFixtures(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => join(dir, name))
    .sort();
}

describe('the fast YAML reader', () => {
  it.each(yamlFixtures(fixturePath('.')))('reads %s as the yaml package does, or hands it over', (file) => {
    const text = readFileSync(file, 'utf8');
    let documents: ReturnType<typeof parseFastYaml>;
    try {
      documents = parseFastYaml(text);
    } catch (error) {
      expect(error).toBeInstanceOf(Unsupported);
      return;
    }
    expect(documents.map((d) => d.value)).toEqual(reference(text));
  });

  it('reads the generated cluster (yaml.stringify output) exactly, with every document handled', () => {
    const text = clusterObjects(seededRandom(3), 0.02)
      .map((object) => stringify(object, { lineWidth: 0, aliasDuplicateObjects: false }))
      .join('---\n');

    expect(parseFastYaml(text).map((d) => d.value)).toEqual(reference(text));
  });

  it.each([
    [
      'scalars of the core schema',
      'a: 1\nb: -2\nc: 0o17\nd: 0x1F\ne: 1.5\nf: .5e3\ng: .inf\nh: -.Inf\ni: true\nj: False\nk: ~\nl:\nm: null\nn: "7"\no: 1.0\np: 12:30\nq: 0777\nr: +3\n',
    ],
    [
      'quoted scalars and escapes',
      `a: "x\\ty\\n\\u00e9\\"q\\\\"\nb: 'it''s'\nc: "#not a comment" # a comment\nd: ''\n'quoted key': 1\n"k:2": 2\n`,
    ],
    [
      'comments and blank lines',
      '# head\na: 1 # trailing\n\n  # indented comment\nb:\n  # between\n  c: x#y\n',
    ],
    ['sequences at the key’s indentation and nested', 'a:\n- 1\n- - 2\n  - 3\n-\n'.replace('-\n', '')],
    [
      'sequences of mappings',
      'containers:\n  - name: a\n    ports:\n    - containerPort: 80\n      protocol: TCP\n  -   name: b\n      image: x\n',
    ],
    ['flow collections', 'a: [1, "two", three, {k: v, n: null}]\nb: {}\nc: []\nd: {a: [x, y], b: 1}\n'],
    [
      'literal block scalars with chomping',
      'a: |\n  line 1\n\n  line 3\n    indented\nb: |-\n  x\n\nc: |+\n  y\n\n\nd: 1\ne: |\n  # not a comment\n  z\n',
    ],
    ['folded block scalars', 'a: >\n  one\n  two\n\n  three\nb: >-\n  x\n  y\n'],
    ['CRLF line ends', 'a: 1\r\nb:\r\n  - x\r\n'],
    ['documents and empty documents', '# lead\n---\na: 1\n---\n# only a comment\n---\nb: 2\n---\n'],
    ['a top-level sequence', '- apiVersion: v1\n  kind: Namespace\n- apiVersion: v1\n  kind: Namespace\n'],
    ['__proto__ as a key', '__proto__: {polluted: true}\nb: 1\n'],
    // YAML's blanks are spaces and tabs: a no-break space ending a value is content.
    ['no-break spaces ending values', 'a: b\u00a0\nc: d\u00a0 # comment\ne: f \u00a0\ng: h  \t\n'],
    ['a repeated key in sibling mappings', 'a:\n  name: x\nb:\n  name: y\nname: z\n'],
    [
      'known keys next to longer, shorter and spaced ones',
      'name: a\nnamespace: b\nm:\n  name  : c\n  nam: d\n  names: e\nn:\n  name: f\n  "names": g\n',
    ],
  ])('agrees with the yaml package on %s', (_, text) => {
    expect(parseFastYaml(text).map((d) => d.value)).toEqual(reference(text));
  });

  it.each([
    ['an anchor and alias', 'a: &x 1\nb: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a multi-line plain scalar', 'a: one\n  two\n'],
    ['a multi-line quoted scalar', 'a: "one\n  two"\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a directive', '%YAML 1.2\n---\na: 1\n'],
    ['a document end marker', 'a: 1\n...\n'],
    ['a Helm template', 'metadata:\n  name: {{ .Release.Name }}\n'],
    ['a tab in indentation', 'a:\n\t- 1\n'],
    ['a numeric key', '1: a\n'],
    ['a merge key', 'a: {x: 1}\n<<: {y: 2}\n'],
    ['an explicit indentation indicator', 'a: |2\n   x\n'],
    ['a colon inside a plain value', 'a: b: c\n'],
  ])('hands %s to the yaml package', (_, text) => {
    expect(() => parseFastYaml(text)).toThrow(Unsupported);
  });

  it('gives the lines of documents and of List items, as the yaml package does', () => {
    const text =
      '# c\napiVersion: v1\nkind: List\nitems:\n# first\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: b}\n---\n\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: c\n';
    const slow = parseManifests(`${text}---\nx: &a 1\n`, 'f.yaml'); // an alias: the whole file takes the yaml path

    expect(parseManifests(text, 'f.yaml').objects.map((o) => [o.index, o.item, o.line])).toEqual([
      [0, 0, 6],
      [0, 1, 9],
      [1, undefined, 14],
    ]);
    expect(slow.objects.map((o) => [o.index, o.item, o.line])).toEqual([
      [0, 0, 6],
      [0, 1, 9],
      [1, undefined, 14],
    ]);
  });
});
