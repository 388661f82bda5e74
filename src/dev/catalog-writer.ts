import type { ProductRecord } from "../sources/json/record.js";

/**
 * A streaming writer of one catalog format. `write` waits while the output is busy (drain), so
 * records can be produced as fast as the file takes them; `end` finishes the file and the stream.
 */
export interface CatalogWriter {
  write(record: ProductRecord): Promise<void>;
  end(): Promise<void>;
}
