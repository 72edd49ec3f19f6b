/**
 * A validator for the subset of OpenAPI v3 / CRD structural schemas that the Kubernetes API schemas
 * of test/fixtures/kubernetes/openapi and test/fixtures/kyverno use: `type` (string, integer, number,
 * boolean, object, array), `properties`, `required`, `additionalProperties`, `items`, `enum`,
 * `allOf` / `$ref` (to `#/components/schemas/…`), `oneOf`, `not`, `maxLength`, `minimum`, `nullable`,
 * and the `x-kubernetes-preserve-unknown-fields` / `x-kubernetes-int-or-string` markers.
 *
 * Unknown properties are errors (what the API server's strict field validation, `kubectl apply
 * --validate=strict`, reports) unless the schema has `additionalProperties` or preserves unknown
 * fields. `format` and `default` are not checked.
 */

export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema | boolean;
  items?: Schema;
  enum?: unknown[];
  allOf?: Schema[];
  oneOf?: Schema[];
  not?: Schema;
  $ref?: string;
  maxLength?: number;
  minimum?: number;
  nullable?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  [key: string]: unknown;
}

export interface SchemaDocument {
  components?: { schemas?: Record<string, Schema> };
}

/** Every violation of `value` against `schema`, as `path: problem`; [] when valid. */
export function validate(value: unknown, schema: Schema, document: SchemaDocument = {}, path = ''): string[] {
  const errors: string[] = [];
  check(value, schema, document, path === '' ? '(root)' : path, errors);
  return errors;
}

function resolve(ref: string, document: SchemaDocument): Schema {
  const prefix = '#/components/schemas/';
  const schema = ref.startsWith(prefix)
    ? document.components?.schemas?.[ref.slice(prefix.length)]
    : undefined;
  if (schema === undefined) throw new Error(`unresolvable $ref ${ref}`);
  return schema;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function check(
  value: unknown,
  schema: Schema,
  document: SchemaDocument,
  path: string,
  errors: string[],
): void {
  if (schema.$ref !== undefined) check(value, resolve(schema.$ref, document), document, path, errors);
  for (const part of schema.allOf ?? []) check(value, part, document, path, errors);
  if (schema.oneOf !== undefined) {
    const matching = schema.oneOf.filter((option) => validate(value, option, document).length === 0).length;
    if (matching !== 1)
      errors.push(`${path}: matches ${matching} of the oneOf alternatives, expected exactly 1`);
  }
  if (schema.not !== undefined && validate(value, schema.not, document).length === 0) {
    errors.push(`${path}: matches a schema it must not match`);
  }
  if (value === null && schema.nullable === true) return;
  if (schema['x-kubernetes-int-or-string'] === true) {
    if (typeof value !== 'string' && typeOf(value) !== 'integer')
      errors.push(`${path}: expected an integer or a string, got ${typeOf(value)}`);
    return;
  }
  if (schema.enum !== undefined && !schema.enum.some((item) => item === value)) {
    errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  const type = schema.type;
  if (type !== undefined) {
    const actual = typeOf(value);
    const matches = actual === type || (type === 'number' && actual === 'integer');
    if (!matches) {
      errors.push(`${path}: expected ${type}, got ${actual}`);
      return;
    }
  }
  if (typeof value === 'string' && schema.maxLength !== undefined && value.length > schema.maxLength) {
    errors.push(`${path}: longer than ${schema.maxLength} characters`);
  }
  if (typeof value === 'number' && schema.minimum !== undefined && value < schema.minimum) {
    errors.push(`${path}: below the minimum ${schema.minimum}`);
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    value.forEach((item, index) => {
      check(item, schema.items as Schema, document, `${path}[${index}]`, errors);
    });
  }
  if (typeOf(value) === 'object')
    checkObject(value as Record<string, unknown>, schema, document, path, errors);
}

function checkObject(
  value: Record<string, unknown>,
  schema: Schema,
  document: SchemaDocument,
  path: string,
  errors: string[],
): void {
  for (const name of schema.required ?? []) {
    if (!(name in value)) errors.push(`${path}: missing required property ${name}`);
  }
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  // Only the schema that declares the shape (properties or additionalProperties) judges unknown
  // fields: a `$ref`/`allOf` wrapper or a bare `required` constraint does not.
  const declares = schema.properties !== undefined || schema.additionalProperties !== undefined;
  for (const [name, item] of Object.entries(value)) {
    const property = schema.properties?.[name];
    const child = path === '(root)' ? name : `${path}.${name}`;
    if (property !== undefined) check(item, property, document, child, errors);
    else if (typeof schema.additionalProperties === 'object') {
      check(item, schema.additionalProperties, document, child, errors);
    } else if (declares && schema.additionalProperties !== true && !preserve) {
      errors.push(`${child}: unknown property`);
    }
  }
}
