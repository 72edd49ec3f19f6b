import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readAwsAuthYaml, UnreadableYaml } from '../../../../core/model/aws-auth-yaml.ts';

/**
 * The aws-auth reader is held to `yaml` (a full YAML 1.2 parser, still a dependency of the posture
 * audit): on every text it either returns what `yaml.parse` returns or refuses with UnreadableYaml,
 * and it reads every style real tools write.
 */

type Quote = 'plain' | 'double' | 'single';
interface Style {
  keyQuote: Quote;
  valueQuote: Quote;
  groups: 'indented' | 'compact' | 'flow' | 'flow-quoted';
  indent: number;
  comments: boolean;
  newline: '\n' | '\r\n';
  documentStart: boolean;
}
interface Mapping {
  arnKey: 'rolearn' | 'userarn';
  arn: string;
  username?: string;
  groups: string[];
  order: number;
}

const ARN = fc
  .tuple(
    fc.constantFrom('111122223333', '444455556666', '123456789012'),
    fc.constantFrom('role', 'user', 'role/service-role', 'role/aws-reserved/sso.amazonaws.com/eu-west-1'),
    fc.stringMatching(/^[A-Za-z0-9+=,.@_-]{1,24}$/),
  )
  .map(([account, kind, name]) => `arn:aws:iam::${account}:${kind}/${name}`);
const USERNAME = fc.oneof(
  fc.constantFrom(
    'system:node:{{EC2PrivateDNSName}}',
    'system:node:{{SessionName}}',
    'admin',
    'ops:{{SessionName}}',
  ),
  fc.stringMatching(/^[a-z][a-z0-9.@_-]{0,15}$/),
);
const GROUP = fc.oneof(
  fc.constantFrom(
    'system:masters',
    'system:bootstrappers',
    'system:nodes',
    'system:node-proxier',
    'eks-console-dashboard-full-access-group',
  ),
  fc.stringMatching(/^[a-z](?:[a-z0-9:_-]{0,19}[a-z0-9_-])?$/),
);
const MAPPING: fc.Arbitrary<Mapping> = fc.record(
  {
    arnKey: fc.constantFrom('rolearn', 'userarn'),
    arn: ARN,
    username: USERNAME,
    groups: fc.array(GROUP, { maxLength: 4 }),
    order: fc.nat(5),
  },
  { requiredKeys: ['arnKey', 'arn', 'groups', 'order'] },
);
const STYLE: fc.Arbitrary<Style> = fc.record({
  keyQuote: fc.constantFrom('plain', 'double', 'single'),
  valueQuote: fc.constantFrom('plain', 'double', 'single'),
  groups: fc.constantFrom('indented', 'compact', 'flow', 'flow-quoted'),
  indent: fc.constantFrom(0, 2, 4),
  comments: fc.boolean(),
  newline: fc.constantFrom('\n', '\r\n'),
  documentStart: fc.boolean(),
});

function quote(text: string, how: Quote): string {
  if (how === 'double') return JSON.stringify(text);
  if (how === 'single') return `'${text.replaceAll("'", "''")}'`;
  return text;
}

/** An aws-auth list written the way eksctl, the EKS guide or Terraform's yamlencode write it. */
function render(mappings: Mapping[], style: Style): string {
  const pad = ' '.repeat(style.indent);
  const lines: string[] = style.documentStart ? ['---'] : [];
  if (style.comments) lines.push(`${pad}# managed by kubeguard tests`);
  for (const mapping of mappings) {
    const fields: [string, string[]][] = [[mapping.arnKey, [quote(mapping.arn, style.valueQuote)]]];
    if (mapping.username !== undefined)
      fields.push(['username', [quote(mapping.username, style.valueQuote)]]);
    fields.push(['groups', mapping.groups.map((g) => quote(g, style.valueQuote))]);
    const rotate = mapping.order % fields.length;
    const ordered = [...fields.slice(rotate), ...fields.slice(0, rotate)];
    ordered.forEach(([key, values], index) => {
      const lead = index === 0 ? `${pad}- ` : `${pad}  `;
      const name = quote(key, style.keyQuote);
      if (key !== 'groups') {
        lines.push(`${lead}${name}: ${values[0]}${style.comments && index === 0 ? ' # mapping' : ''}`);
        return;
      }
      if (style.groups.startsWith('flow') || values.length === 0) {
        const items = style.groups === 'flow' ? mapping.groups : values;
        lines.push(`${lead}${name}: [${items.join(', ')}]`);
        return;
      }
      lines.push(`${lead}${name}:`);
      const listPad = style.groups === 'compact' ? `${pad}  ` : `${pad}    `;
      for (const value of values) lines.push(`${listPad}- ${value}`);
    });
  }
  return lines.join(style.newline) + style.newline;
}

/** `yaml.parse`'s answer, or 'error'. */
function reference(text: string): unknown {
  try {
    return parse(text);
  } catch {
    return 'error';
  }
}

/** Our answer, or 'refused' (UnreadableYaml); any other exception fails the test. */
function ours(text: string): unknown {
  try {
    return readAwsAuthYaml(text);
  } catch (error) {
    if (error instanceof UnreadableYaml) return 'refused';
    throw error;
  }
}

describe('aws-auth YAML reader', () => {
  it('reads every style real tools write exactly as a full YAML parser does', () => {
    fc.assert(
      fc.property(fc.array(MAPPING, { maxLength: 5 }), STYLE, (mappings, style) => {
        const text = render(mappings, style);
        expect(ours(text)).toEqual(reference(text));
      }),
      { numRuns: 1500 },
    );
  });

  it('reads the JSON list CDK writes', () => {
    fc.assert(
      fc.property(fc.array(MAPPING, { maxLength: 5 }), (mappings) => {
        const text = JSON.stringify(
          mappings.map((m) => ({ [m.arnKey]: m.arn, username: m.username, groups: m.groups })),
        );
        expect(ours(text)).toEqual(reference(text));
      }),
    );
  });

  it('never reads a text differently from a full YAML parser: it answers the same or refuses', () => {
    const noise = fc.constantFrom(
      ':',
      ': ',
      ' ',
      '  ',
      '#',
      ' #',
      '"',
      "'",
      '- ',
      '-',
      '[',
      ']',
      '{',
      '}',
      '&a ',
      '*a',
      '!!str ',
      '|',
      '>',
      '\n',
      '\n  ',
      '\t',
      ',',
      '?',
      '%',
      '@',
      '`',
      '\\',
      '\\t',
      '~',
      'null',
      'true',
      '0x1F',
      '1.5',
      '012',
      '<<: ',
      '__proto__: ',
      '---',
      '...',
      '\r',
      'é',
      '\u00a0',
    );
    fc.assert(
      fc.property(
        fc.array(MAPPING, { minLength: 1, maxLength: 3 }),
        STYLE,
        fc.array(fc.tuple(fc.nat(), noise), { minLength: 1, maxLength: 4 }),
        (mappings, style, edits) => {
          let text = render(mappings, style);
          for (const [at, insert] of edits) {
            const index = at % (text.length + 1);
            text = text.slice(0, index) + insert + text.slice(index);
          }
          const answer = ours(text);
          if (answer !== 'refused') expect(answer).toEqual(reference(text));
        },
      ),
      { numRuns: 4000 },
    );
  });

  it('refuses what it does not read, naming the line', () => {
    expect(() => readAwsAuthYaml('- rolearn: &admin arn:aws:iam::1:role/a\n- rolearn: *admin\n')).toThrow(
      'line 1: a value starting with an indicator',
    );
    expect(() =>
      readAwsAuthYaml('- rolearn: arn:aws:iam::1:role/a\n  rolearn: arn:aws:iam::1:role/b\n'),
    ).toThrow('line 2: a duplicate key');
    expect(() => readAwsAuthYaml('- rolearn: arn:aws:iam::1:role/a\n    system:masters\n')).toThrow(/line 2/);
    expect(() => readAwsAuthYaml('rolearn: arn:aws:iam::1:role/a\n')).toThrow('line 1: expected a list');
  });
});
