import { describe, expect, it } from 'vitest';
import { createEvaluator } from '#core/netpol/evaluate.ts';
import type { ConnectionQuery, EndpointRef, NetpolCluster, NetworkPolicy } from '#core/netpol/types.ts';
import { readFixtureText } from '#test/support/fixtures.ts';

/**
 * The public NetworkPolicy corpus (test/fixtures/corpus/netpol): 66 cases, 235 queries from the
 * policy recipes, the Kubernetes docs and the upstream e2e truth tables. Every query must get the
 * labelled verdict, and each side its labelled per-side verdict.
 */
interface CorpusQuery extends ConnectionQuery {
  port: number;
  expect: 'allow' | 'deny';
  why: string;
  sides: { egress: 'allow' | 'deny' | 'n/a'; ingress: 'allow' | 'deny' | 'n/a' };
}

interface CorpusCase extends NetpolCluster {
  id: string;
  title: string;
  policies: NetworkPolicy[];
  queries: CorpusQuery[];
}

const cases = JSON.parse(readFixtureText('corpus/netpol/public-cases.json')) as CorpusCase[];

function end(ref: EndpointRef): string {
  return 'pod' in ref ? ref.pod : ref.ip;
}

describe('NetworkPolicy corpus', () => {
  it('holds the 66 cases and 235 queries it promises', () => {
    expect(cases).toHaveLength(66);
    expect(cases.flatMap((c) => c.queries)).toHaveLength(235);
  });

  for (const corpusCase of cases) {
    describe(`${corpusCase.id}: ${corpusCase.title}`, () => {
      const evaluator = createEvaluator(corpusCase);
      for (const query of corpusCase.queries) {
        const name = `${query.expect}s ${end(query.from)} → ${end(query.to)} ${query.protocol ?? 'TCP'}/${query.port} (${query.why})`;
        it(name, () => {
          const result = evaluator.evaluate(query);

          expect({
            verdict: result.verdict,
            egress: result.egress.verdict,
            ingress: result.ingress.verdict,
          }).toEqual({
            verdict: query.expect,
            ...query.sides,
          });
        });
      }
    });
  }
});
