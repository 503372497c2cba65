/** A delivery as a platform would send it: the bytes, the headers, and the query string. */
export interface Delivery {
  body: Buffer;
  headers: Record<string, string>;
  query: Record<string, string>;
}
