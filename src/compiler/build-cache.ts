// Values a Builder keeps from one build to the next (fastmcp dev), keyed by what they depend on.
// Entries a build did not use are dropped when it ends, so a long session does not accumulate
// the results of every version of every file.

export class BuildCache<V> {
  private previous = new Map<string, V>();
  private current = new Map<string, V>();
  /** Lookups that found nothing (work a build had to do), since the cache was made. */
  misses = 0;

  get(key: string): V | undefined {
    const value = this.current.get(key) ?? this.previous.get(key);
    if (value === undefined) this.misses++;
    else this.current.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    this.current.set(key, value);
  }

  /** The stage that uses this cache ran to the end: forget what it did not ask for. */
  sweep(): void {
    this.previous = this.current;
    this.current = new Map();
  }
}
