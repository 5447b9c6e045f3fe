// Lint rules: the recommended sets, type-aware, plus a few that keep the code honest.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import dropwise from './eslint/layering.js';

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'node_modules/**', 'work/**', 'scripts/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // The floors of src/ (see eslint/layering.js): no upward import, and no sandbox on the agent side.
    files: ['src/**/*.ts'],
    plugins: { dropwise },
    rules: { 'dropwise/layering': 'error' },
  },
  {
    // CommonJS packages are required, not imported (src/commonjs.ts: 9 MB of resident memory). The
    // sandbox, a development tool that imports only its own code, is left out.
    files: ['src/**/*.ts'],
    ignores: ['src/simulator/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: ['commander', 'convict', 'pg', 'prom-client', 'saxes', 'winston'].map((name) => ({
          name,
          allowTypeImports: true,
          message: `${name} is CommonJS: load it with requireCommonJs (src/commonjs.ts), which keeps Node's CommonJS lexer out of the process; import only its types.`,
        })),
      }],
    },
  },
  {
    // The dashboard's page script runs in the browser.
    files: ['src/api/dashboard/assets/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(['window', 'document', 'location', 'fetch', 'URLSearchParams', 'FormData', 'Node', 'setTimeout', 'clearTimeout'].map((g) => [g, 'readonly'])),
    },
  },
  {
    // The CLI verbs, scripts and tests talk to a person on a terminal.
    files: ['src/commands/**/*.ts', 'src/cli.ts', 'test/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
