/** A users row as SQLite returns it. */
export interface UserRow {
  id: number;
  email: string;
  name: string;
  tier: string;
  created_at: string;
  line1: string;
  city: string;
  postal_code: string;
  country: string;
}
