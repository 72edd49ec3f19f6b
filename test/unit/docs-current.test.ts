import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { complianceDocument } from '../../core/compliance/docs.ts';
import { AUDIT_RULES } from '../../core/detection/registry.ts';
import { ruleDocuments } from '../../core/detection/rule-docs.ts';
import { ruleGuidesModule } from '../../core/detection/rule-guides-module.ts';
import { checkDocuments } from '../../core/posture/check-docs.ts';
import { ALL_CHECKS } from '../../core/posture/registry.ts';

const DOCS = join(import.meta.dirname, '..', '..', 'docs');

function stale(folder: string, documents: Map<string, string>): string[] {
  return [...documents]
    .filter(([name, text]) => {
      try {
        return readFileSync(join(DOCS, folder, name), 'utf8') !== text;
      } catch {
        return true;
      }
    })
    .map(([name]) => `docs/${folder}/${name}`);
}

describe('generated documentation', () => {
  it('documents every detection rule exactly as its metadata says (run `npm run docs` after changing a rule)', () => {
    expect(stale('rules', ruleDocuments(AUDIT_RULES))).toEqual([]);
  });

  it('gives the alert renderer the guidance of every rule exactly as its metadata says (run `npm run docs` after changing a rule)', () => {
    const current = readFileSync(
      join(import.meta.dirname, '..', '..', 'core', 'detection', 'rule-guides.ts'),
      'utf8',
    );
    expect(current).toBe(ruleGuidesModule(AUDIT_RULES));
  });

  it('documents every posture check exactly as its metadata says (run `npm run docs` after changing a check)', () => {
    expect(stale('checks', checkDocuments(ALL_CHECKS))).toEqual([]);
  });

  it('documents the control table and mapping exactly as core/compliance says (run `npm run docs` after changing it)', () => {
    expect(readFileSync(join(DOCS, 'compliance.md'), 'utf8')).toBe(
      complianceDocument(ALL_CHECKS, AUDIT_RULES),
    );
  });

  it('renders a rule page with its guidance and a real example event', () => {
    const page = ruleDocuments(AUDIT_RULES).get('KD-001.md') ?? '';
    expect(page).toContain('# KD-001 Privileged container created');
    expect(page).toContain('## First response');
    expect(page).toContain('"privileged": true');
  });
});
