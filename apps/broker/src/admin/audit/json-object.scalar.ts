import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/** A JSON object, as the admin API hands out details it stores as jsonb; never accepted as input. */
export const GraphQLJSONObject = new GraphQLScalarType({
  name: 'JSONObject',
  description: 'A JSON object',
  serialize: (value) => value,
  parseValue: () => {
    throw new GraphQLError('JSONObject is output only', { extensions: { code: 'BAD_USER_INPUT' } });
  },
  parseLiteral: (ast) => {
    throw new GraphQLError(`JSONObject is output only (got a ${ast.kind === Kind.OBJECT ? 'object' : ast.kind})`, { extensions: { code: 'BAD_USER_INPUT' } });
  },
});

/** How the OpenAPI document describes a JSONObject field: any JSON object, or null. */
export const JSON_OBJECT_PROPERTY = { type: 'object', additionalProperties: true, nullable: true } as const;
