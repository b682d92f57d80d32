/**
 * Page sizes for list fields. Resolver-safe: stays inside the APPSYNC_JS subset.
 */

/** The page size when the caller gives none. */
export const DEFAULT_PAGE_SIZE = 20;
/** The largest page a caller may ask for. */
export const MAX_PAGE_SIZE = 100;

/** Returns the page size to use, or an error message when the requested limit is out of range. */
export function pageSize(limit: number | null | undefined): { limit: number; error: string | null } {
  if (limit === null || limit === undefined) return { limit: DEFAULT_PAGE_SIZE, error: null };
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    return {
      limit: DEFAULT_PAGE_SIZE,
      error: `limit must be between 1 and ${MAX_PAGE_SIZE}, received ${limit}`,
    };
  }
  return { limit, error: null };
}
