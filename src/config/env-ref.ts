// Secret settings may be written "env:VAR_NAME" so that the value lives in the service's environment,
// not in the config file. One reader of that form for every setting that takes it.

/** The value of an "env:NAME" reference (or the value itself when it is not one); `missing` names an unset or empty variable. */
export function readEnvRef(value: string, env: NodeJS.ProcessEnv): { value: string } | { missing: string } {
  if (!value.startsWith('env:')) return { value };
  const variable = value.slice(4);
  const found = env[variable];
  return found === undefined || found === '' ? { missing: variable } : { value: found };
}
