export interface ArticleRow {
  id: number;
  slug: string;
  title: string;
  body: string;
  published_at: string;
  author_id: number;
}

export interface ReviewRow {
  id: number;
  product_id: number;
  author_id: number;
  rating: number;
  body: string;
  created_at: string;
}
