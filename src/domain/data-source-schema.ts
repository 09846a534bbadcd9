import type { DataSourceConfigParams } from '../schemas/evals.js';

// The fixed schema of the `sample` namespace, returned inside a custom config's derived schema when
// include_sample_schema is true (OpenAI's own is not in the spec; this follows the one seen live).
const SAMPLE_SCHEMA = {
  type: 'object',
  properties: {
    model: { type: 'string' },
    choices: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          message: {
            type: 'object',
            properties: {
              role: { type: 'string', enum: ['assistant'] },
              content: { type: ['string', 'null'] },
              refusal: { type: ['boolean', 'null'] },
              tool_calls: {
                type: ['array', 'null'],
                items: {
                  type: 'object',
                  properties: {
                    type: { type: 'string', enum: ['function'] },
                    function: { type: 'object', properties: { name: { type: 'string' }, arguments: { type: 'string' } }, required: ['name', 'arguments'] },
                    id: { type: 'string' },
                  },
                  required: ['type', 'function', 'id'],
                },
              },
            },
            required: ['role'],
          },
          finish_reason: { type: 'string' },
        },
        required: ['index', 'message', 'finish_reason'],
      },
    },
    output_text: { type: 'string' },
    output_json: { type: 'object' },
    output_tools: { type: 'array', items: { type: 'object' } },
  },
  required: ['model', 'choices'],
} as const;

const LOGS_SCHEMA = {
  type: 'object',
  properties: { item: { type: 'object' }, sample: { type: 'object' } },
  required: ['item', 'sample'],
};

/** The `data_source_config` an eval returns: what was sent, reduced to its wire fields, plus the derived `schema`. */
export function deriveDataSourceConfig(config: DataSourceConfigParams): Record<string, unknown> {
  if (config.type === 'custom') {
    const properties: Record<string, unknown> = { item: config.item_schema };
    if (config.include_sample_schema) properties.sample = SAMPLE_SCHEMA;
    const required = config.include_sample_schema ? ['item', 'sample'] : ['item'];
    return { type: 'custom', schema: { type: 'object', properties, required } };
  }
  const out: Record<string, unknown> = { type: config.type };
  if (config.metadata !== undefined) out.metadata = config.metadata;
  out.schema = LOGS_SCHEMA;
  return out;
}

/** The item schema to validate rows against, from a stored config (`schema.properties.item`). */
export function itemSchemaOf(config: Record<string, unknown>): Record<string, unknown> | null {
  if (config.type !== 'custom') return null;
  const schema = config.schema as { properties?: { item?: Record<string, unknown> } } | undefined;
  return schema?.properties?.item ?? null;
}
