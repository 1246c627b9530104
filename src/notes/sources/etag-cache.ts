/** What is kept of one answered page so a later 304 Not Modified can be served from it. */
export interface EtagCacheEntry {
  etag: string;
  body: unknown;
  /** The page's `rel="next"` link, so pagination continues from a cached page. */
  next?: string;
}

/**
 * Where conditional-request state lives between calls. Bring your own (a file, a database); the
 * in-memory one below is enough for a long-running process. 304 answers do not count against the
 * GitHub rate limit, which is why this exists.
 */
export interface EtagCache {
  get(key: string): EtagCacheEntry | undefined | Promise<EtagCacheEntry | undefined>;
  set(key: string, entry: EtagCacheEntry): void | Promise<void>;
}

export function createMemoryEtagCache(): EtagCache & { readonly size: number } {
  const entries = new Map<string, EtagCacheEntry>();
  return {
    get: (key) => entries.get(key),
    set: (key, entry) => {
      entries.set(key, entry);
    },
    get size() {
      return entries.size;
    },
  };
}
