import type { CodegenConfig } from '@graphql-codegen/cli';

// Types for the schema and for every operation in src/**/*.graphql, from the schema the broker prints. An operation that no
// longer matches the schema fails here, and so the build and the tests.
const config: CodegenConfig = {
  schema: '../broker/schema.gql',
  documents: ['src/**/*.graphql'],
  generates: {
    // Every type of the schema (typescript-operations 6 writes the inputs and enums the operations use itself).
    'src/app/graphql/schema.ts': {
      plugins: ['typescript'],
      config: { enumsAsTypes: true, useTypeImports: true, scalars: { DateTime: 'string', JSONObject: 'Record<string, unknown>' } },
    },
    'src/app/graphql/generated.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false, object: false },
        scalars: { DateTime: 'string', JSONObject: 'Record<string, unknown>' },
      },
    },
  },
};

export default config;
