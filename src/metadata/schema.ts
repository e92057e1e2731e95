// Table shapes as Kysely sees them. Times are epoch milliseconds so both dialects store them the same way.
import type { Generated } from 'kysely';

export interface AssetsTable {
  seq: Generated<number>;
  asset_id: string;
  tenant: string;
  status: string;
  mime_type: string;
  size_bytes: number;
  sha256: string | null;
  filename: string | null;
  storage_key: string;
  url_token: string;
  created_at: number;
  completed_at: number | null;
}

export interface Database {
  assets: AssetsTable;
}
