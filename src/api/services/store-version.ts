/**
 * A key that changes whenever the store's contents may have changed, so analyses computed over
 * the whole store (outlier scores, fitted linear probes, k-NN reference labels) are recomputed
 * only when needed. It combines what the store reports (object and vector counts, save
 * generation) with a counter the service bumps on every write it makes itself; a write by a
 * background job changes the counts.
 *
 *   const version = new StoreVersion(store);
 *   const cache = new VersionedCache<Outliers>(version);
 *   cache.get('image:10', () => computeOutliers(...));   // recomputed after version.bump()
 *   // Promises cache too: concurrent callers share one computation (forget() it on failure).
 */
import type { Store } from '../../store/index.js';

export class StoreVersion {
  private local = 0;

  constructor(private readonly store: Store) {}

  /** Call after every change the service makes to the store. */
  bump(): void {
    this.local += 1;
  }

  key(): string {
    const info = this.store.info();
    return `${info.objects}/${info.vectors.image}/${info.vectors.spectrum}/${info.generation}/${this.local}`;
  }
}

/** Values keyed by name, each valid for one store version; a new version drops them all. */
export class VersionedCache<T> {
  private version = '';
  private readonly values = new Map<string, T>();

  constructor(private readonly storeVersion: StoreVersion) {}

  get(name: string, compute: () => T): T {
    const version = this.storeVersion.key();
    if (version !== this.version) {
      this.values.clear();
      this.version = version;
    }
    let value = this.values.get(name);
    if (value === undefined) {
      value = compute();
      this.values.set(name, value);
    }
    return value;
  }

  /** Drops one value (a failed computation, so the next call retries). */
  forget(name: string): void {
    this.values.delete(name);
  }
}
