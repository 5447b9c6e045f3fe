// The CommonJS packages dropwise uses (winston, convict, commander, saxes, pg, prom-client) are
// loaded with require(), not import. Importing one from an ES module makes Node start its CommonJS
// export lexer (WebAssembly), which stays resident. Measured: four of them imported, 61 MB of RSS;
// required, 52 MB; a `dropwise task` run held 74 MB before its first record, and 65 MB since. Their
// types still come from `import type`; eslint.config.js keeps value imports of them out.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A CommonJS package's exports (`module.exports`), typed as the caller's `import type` says. */
export function requireCommonJs<T>(name: string): T {
  return require(name) as T;
}
