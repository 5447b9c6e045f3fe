// Reading one item ahead: the next page or chunk is on its way while the consumer works on this one,
// so network, parsing and disk overlap. Back-pressure still holds: at most two items are in hand.

/** Yields the source's items, asking for the next one before handing over the current one. */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let ahead = iterator.next();
  // Awaited on the next turn, or dropped with the source on failure: never an unhandled rejection.
  ahead.catch(() => undefined);
  try {
    for (;;) {
      const next = await ahead;
      if (next.done === true) return;
      ahead = iterator.next();
      ahead.catch(() => undefined);
      yield next.value;
    }
  } finally {
    // Closes the source (and the body under it) on every way out; not awaited, a read may be pending.
    iterator.return?.(undefined).catch(() => undefined);
  }
}
