import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { complianceDocument } from '../core/compliance/docs.ts';
import { AUDIT_RULES } from '../core/detection/registry.ts';
import { ruleDocuments } from '../core/detection/rule-docs.ts';
import { ruleGuidesModule } from '../core/detection/rule-guides-module.ts';
import { checkDocuments } from '../core/posture/check-docs.ts';
import { ALL_CHECKS } from '../core/posture/registry.ts';

/**
 * `npm run docs`: writes docs/rules/, the generated part of docs/checks/ and docs/compliance.md from
 * the code's metadata.
 */
const DOCS = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs');

function write(folder: string, documents: Map<string, string>, generated: (name: string) => boolean): void {
  const dir = join(DOCS, folder);
  mkdirSync(dir, { recursive: true });
  // Remove generated pages of rules or checks that no longer exist.
  for (const name of readdirSync(dir)) if (generated(name) && !documents.has(name)) rmSync(join(dir, name));
  for (const [name, text] of documents) writeFileSync(join(dir, name), text);
  console.log(`docs/${folder}: ${documents.size} files`);
}

write('rules', ruleDocuments(AUDIT_RULES), (name) => /^(KD-\d{3}|README)\.md$/.test(name));
write('checks', checkDocuments(ALL_CHECKS), (name) => /^(KP-\d{3}|catalog)\.md$/.test(name));

// The control table, its sources and the mapping of every check and rule (core/compliance).
writeFileSync(join(DOCS, 'compliance.md'), complianceDocument(ALL_CHECKS, AUDIT_RULES));
console.log('docs/compliance.md: 1 file');

// The rules' guidance as data for the alert renderer (core/detection/rule-guides-module.ts).
writeFileSync(join(DOCS, '..', 'core', 'detection', 'rule-guides.ts'), ruleGuidesModule(AUDIT_RULES));
console.log(`core/detection/rule-guides.ts: ${AUDIT_RULES.length} rules`);
