// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import appsync from '@aws-appsync/eslint-plugin';

/**
 * Resolver code, and the domain modules resolvers import, must stay inside the APPSYNC_JS subset.
 * Every top-level file in domain/ is resolver-safe; Node-only domain code (zod schemas) lives in domain/events/.
 */
export const appsyncFiles = ['resolvers/**/*.ts', 'domain/*.ts'];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'cdk.out/**',
      '.orderloop/**',
      'domain/generated/**',
      'test/generated/**',
      'functions/lib/generated/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    ...appsync.configs.recommended,
    files: appsyncFiles,
    ignores: ['resolvers/manifest.ts'],
    languageOptions: {
      ...appsync.configs.recommended.languageOptions,
      // A program of these files and what they import (about 250 files), not the root one (about 6,000 with
      // aws-cdk-lib, the SDKs and the runtime): the same compiler options, so the rules see the same types.
      parserOptions: { project: './tsconfig.appsync.json', tsconfigRootDir: import.meta.dirname },
    },
  },
);
