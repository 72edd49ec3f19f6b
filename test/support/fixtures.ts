import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** test/fixtures, copied from ../shared with their provenance README. */
export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export function fixturePath(name: string): string {
  return join(FIXTURES_DIR, name);
}

export function readFixtureText(name: string): string {
  return readFileSync(fixturePath(name), 'utf8');
}

/** The whole fixture file, `_meta` included. */
export function readFixtureFile(name: string): Record<string, unknown> {
  return JSON.parse(readFixtureText(name)) as Record<string, unknown>;
}

/**
 * The payload of a fixture with `_meta` stripped: the `event`, `decoded`, `lambdaEvent` or `payload`
 * member (the first present), as the fixtures README describes.
 */
export function loadFixture<T = Record<string, unknown>>(name: string, member?: string): T {
  const file = readFixtureFile(name);
  const key = member ?? ['event', 'lambdaEvent', 'decoded', 'payload'].find((k) => k in file);
  if (key === undefined || !(key in file)) {
    throw new Error(`fixture ${name} has no member ${member ?? 'event|lambdaEvent|decoded|payload'}`);
  }
  return structuredClone(file[key]) as T;
}

/** A fixture payload with deep overrides applied (plain objects merge; arrays and scalars replace). */
export function fixtureWith<T>(name: string, overrides: Record<string, unknown>, member?: string): T {
  return deepMerge(loadFixture<Record<string, unknown>>(name, member), overrides) as T;
}

function deepMerge(
  base: Record<string, unknown>,
  overrides: Record<string, unknown>,
): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = result[key];
    result[key] =
      isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : structuredClone(value);
  }
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
