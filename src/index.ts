// What importing the dropwise package gives (its `exports`): the DW_* error registry and the config
// loader, for scripts that check a config or read an error code. Importing it runs nothing; the CLI is
// the `dropwise` bin (dist/cli.js).
export { DropwiseError, ERROR_CODES, isDropwiseError, type DwCode } from './errors.js';
export { loadConfig, type AppConfig } from './config/load.js';
