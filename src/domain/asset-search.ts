// GET /v3/assets/search, for the caller's own assets (`scope=personal`): the newest completed images are ranked by
// how well their file name and facts match the query. The platform's public library (`scope=public`) is not
// something a self-hosted service has, so that scope is answered with no results.
import { mimesOfKinds } from '../media/types.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { Asset, AssetRecords } from './ports/index.js';

/** How many of the newest images a search ranks: enough for a person's library, bounded for the database. */
export const SEARCH_CANDIDATES = 1000;
/** Icons, in a personal library: square images of at most this many pixels a side. */
const ICON_MAX_SIDE = 512;

export type SearchType = 'image' | 'icon';
export type Orientation = 'landscape' | 'portrait' | 'square';

export interface SearchOptions {
  readonly query: string;
  readonly type: SearchType;
  readonly scope: 'personal' | 'public';
  readonly limit: number;
  readonly token?: string | undefined;
}

export interface SearchHit {
  readonly asset: Asset;
  readonly type: SearchType;
  readonly orientation: Orientation | null;
  readonly score: number;
}

export interface SearchResults {
  readonly hits: readonly SearchHit[];
  readonly nextToken: string | null;
}

export function orientationOf(asset: Asset): Orientation | null {
  if (asset.width === null || asset.height === null) return null;
  if (asset.width === asset.height) return 'square';
  return asset.width > asset.height ? 'landscape' : 'portrait';
}

const wordsOf = (text: string): string[] => text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '');

/**
 * Each query word found at the start of a word of the file name counts 2, one found among the facts (orientation,
 * format, pixel sizes) counts 1; a name that holds the query's words in a row counts 3 more.
 */
export function scoreOf(asset: Asset, query: string): number {
  const wanted = wordsOf(query);
  if (wanted.length === 0) return 0;
  const nameWords = wordsOf(asset.filename ?? '');
  const facts = new Set([
    orientationOf(asset) ?? '',
    ...wordsOf(asset.mimeType),
    ...(asset.width !== null && asset.height !== null ? [String(asset.width), String(asset.height), `${asset.width}x${asset.height}`] : []),
  ]);
  // The query's words in a row in the name, whatever separates them there (`red-sunset-beach` for "sunset beach").
  let score = ` ${nameWords.join(' ')} `.includes(` ${wanted.join(' ')}`) ? 3 : 0;
  for (const word of wanted) {
    if (nameWords.some((w) => w.startsWith(word))) score += 2;
    else if (facts.has(word)) score += 1;
  }
  return score;
}

const isIcon = (asset: Asset): boolean =>
  asset.width !== null && asset.width === asset.height && asset.width <= ICON_MAX_SIDE;

export class AssetSearch {
  constructor(private readonly records: AssetRecords) {}

  async search(tenant: string, options: SearchOptions): Promise<SearchResults> {
    const start = options.token === undefined ? 0 : decodeCursor(options.token) - 1;
    if (options.scope === 'public') return { hits: [], nextToken: null };
    const candidates = await this.records.listRecentCompleted({
      tenant,
      mimeTypes: [...mimesOfKinds(['image'])],
      limit: SEARCH_CANDIDATES,
    });
    // Newest first among equals: candidates come newest first and the sort is stable.
    const ranked = candidates
      .filter((asset) => options.type === 'image' || isIcon(asset))
      .map((asset) => ({ asset, type: options.type, orientation: orientationOf(asset), score: scoreOf(asset, options.query) }))
      .filter((hit) => hit.score > 0)
      .sort((a, b) => b.score - a.score);
    const end = start + options.limit;
    return { hits: ranked.slice(start, end), nextToken: end < ranked.length ? encodeCursor(end + 1) : null };
  }
}
