// The loaded config is read by every layer and changed by none: freezing it turns a stray write into
// a TypeError at the place that writes, instead of a setting that silently differs between readers.
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
