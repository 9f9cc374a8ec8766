export interface OrderRow {
  id: number;
  number: string;
  status: string;
  placed_at: string;
  customer_id: number;
  currency: string;
  total_cents: number;
}

export interface OrderLineRow {
  order_id: number;
  line_no: number;
  product_id: number;
  quantity: number;
  unit_price_cents: number;
}
