import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { valueForSchema } from './schema-value.js';

const ajv = new Ajv({ strict: false });
const fits = (schema: object, value: unknown) => ajv.validate(schema, value);

describe('valueForSchema', () => {
  const schemas: Record<string, object> = {
    score: {
      type: 'object',
      properties: { steps: { type: 'array', items: { type: 'object', properties: { description: { type: 'string' }, conclusion: { type: 'string' } }, required: ['description', 'conclusion'] } }, result: { type: 'number' } },
      required: ['steps', 'result'], additionalProperties: false,
    },
    nested: {
      type: 'object',
      $defs: { person: { type: 'object', properties: { name: { type: 'string', minLength: 12 }, age: { type: 'integer', minimum: 18, maximum: 99 } }, required: ['name', 'age'] } },
      properties: {
        people: { type: 'array', items: { $ref: '#/$defs/person' }, minItems: 2 },
        kind: { anyOf: [{ type: 'null' }, { type: 'string', enum: ['a', 'b', 'c'] }] },
        flag: { type: ['boolean', 'null'] },
        fixed: { const: 'v1' },
        when: { type: 'string', format: 'date-time' },
      },
      required: ['people', 'kind', 'flag', 'fixed', 'when'],
    },
    bounded: { type: 'object', properties: { x: { type: 'number', exclusiveMaximum: 0.5 }, n: { type: 'integer', minimum: 3 } }, required: ['x', 'n'] },
  };

  it.each(Object.entries(schemas))('produces a value that validates against %s', (_name, schema) => {
    expect(fits(schema, valueForSchema(schema, { hash: 12345 }))).toBe(true);
    expect(fits(schema, valueForSchema(schema, { hash: 7, score: 0.3, label: 'b' }))).toBe(true);
  });

  it('puts the score into numbers and the label into enums and label-like strings', () => {
    expect(valueForSchema(schemas.score, { hash: 1, score: 0.7 })).toMatchObject({ result: 0.7 });
    const labelled = { type: 'object', properties: { result: { type: 'string', enum: ['bad', 'good'] }, label: { type: 'string' } } };
    expect(valueForSchema(labelled, { hash: 1, label: 'good' })).toEqual({ result: 'good', label: 'good' });
  });

  it('chooses enum options deterministically by hash', () => {
    const schema = { type: 'string', enum: ['x', 'y', 'z'] };
    expect(valueForSchema(schema, { hash: 4 })).toBe('y');
    expect(valueForSchema(schema, { hash: 4 })).toBe(valueForSchema(schema, { hash: 4 }));
  });
});
