// Lint as Temporal's samples do (typescript-eslint, floating promises are errors), plus the two
// rules this project's shape rests on: the workflow bundle and the pure core import no Node
// builtins (the workflow sandbox forbids them; the core does no I/O). `npm test` runs it.
const tseslint = require('typescript-eslint');

const NODE_BUILTINS = [
  'assert',
  'buffer',
  'child_process',
  'crypto',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'https',
  'net',
  'os',
  'path',
  'process',
  'stream',
  'timers',
  'tls',
  'url',
  'util',
  'worker_threads',
  'zlib',
];

module.exports = tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.tools/**',
      'test-artifacts/**',
      'examples/**',
      '**/*.js',
      '!eslint.config.js',
    ],
  },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    files: ['src/workflows/**/*.ts', 'src/core/**/*.ts'],
    ignores: ['**/*.test.ts', 'src/core/test-fixtures.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: NODE_BUILTINS.flatMap((name) => [name, `node:${name}`]).map((name) => ({
            name,
            message: 'the workflow bundle and the pure core do no I/O: no Node builtins',
          })),
        },
      ],
    },
  },
);
