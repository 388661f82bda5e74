import type { RowIssue } from "../../core/issues.js";
import {
  MediaNodeSchema,
  ProductNodeSchema,
  VariantNodeSchema,
  productRecordOf,
  sortVariants,
  variantRecordOf,
  type ShopLocation,
  type ShopifyProductRecord,
} from "./records.js";

/**
 * Reassembles products from a bulk operation's JSONL, one line at a time, in bounded memory.
 *
 * Each child line (variant, image) names its product by `__parentId`, and from API 2026-01
 * (`groupObjects: false`) children are not guaranteed to follow their parent: the simulator
 * writes a product's children after the next product. So a product is complete when it holds as
 * many variants and images as its own line announced (`variantsCount`, `mediaCount`), not when
 * the next product starts. Products are handed out in file order (ascending ids): the oldest open
 * product holds back the ones after it. Memory is the products between the oldest open one and
 * the newest line, a handful in practice; past `maxOpen` the oldest is handed out as it is, and a
 * child that arrives for it later is reported, not lost silently.
 */

export interface AssemblyOutput {
  products: ShopifyProductRecord[];
  issues: RowIssue[];
}

interface OpenProduct {
  record: ShopifyProductRecord;
  /** 0-based line of the product in the file. */
  line: number;
  variantsLeft: number;
  mediaLeft: number;
}

export interface BulkAssemblerOptions {
  /** The store's label, for issues. */
  label: string;
  locations: readonly ShopLocation[];
  /** The position the first product of this read gets (1 on a fresh read). */
  firstPosition: number;
  /**
   * True when the read starts mid-file (a resume): a child whose product line was not seen
   * belongs to a product handed out before the resume point and is dropped without an issue.
   */
  resumed: boolean;
  /** Open products held at most before the oldest is handed out incomplete (default 10,000). */
  maxOpen?: number;
}

export class BulkAssembler {
  private readonly open = new Map<string, OpenProduct>();
  /** Open products in file order; the head is the oldest. */
  private readonly queue: OpenProduct[] = [];
  private head = 0;
  private position: number;
  private lastLine = -1;
  private lastEmittedId: string | undefined;
  private readonly maxOpen: number;

  constructor(private readonly options: BulkAssemblerOptions) {
    this.position = options.firstPosition;
    this.maxOpen = options.maxOpen ?? 10_000;
  }

  /** Takes one line (0-based `line` in the file); returns the products it completed, in order. */
  push(text: string, line: number): AssemblyOutput {
    this.lastLine = line;
    const out: AssemblyOutput = { products: [], issues: [] };
    if (text.trim() === "") return out;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      out.issues.push(this.issue(line, undefined, "the bulk result line is not JSON"));
      return out;
    }
    if (typeof value !== "object" || value === null) {
      out.issues.push(this.issue(line, undefined, "the bulk result line is not an object"));
      return out;
    }
    const record = value as { id?: unknown; __parentId?: unknown };
    const parentId = typeof record.__parentId === "string" ? record.__parentId : undefined;
    if (parentId === undefined) this.takeProduct(value, line, out);
    else this.takeChild(value, parentId, line, out);
    this.release(out);
    return out;
  }

  /** The end of the file: every open product is handed out, complete or not. */
  finish(): AssemblyOutput {
    const out: AssemblyOutput = { products: [], issues: [] };
    while (this.head < this.queue.length) {
      const entry = this.queue[this.head]!;
      if (entry.variantsLeft > 0 || entry.mediaLeft > 0) {
        out.issues.push(
          this.issue(
            entry.line,
            entry.record.id,
            `the bulk result ended with ${entry.variantsLeft} variant(s) and ${entry.mediaLeft} image(s) of this product missing (the catalog changed while the bulk operation ran?)`,
            "warning",
          ),
        );
      }
      this.emit(out);
    }
    return out;
  }

  /**
   * Where a resumed read starts: the line of the oldest product not handed out yet, or the line
   * after the last one read. Every line before it belongs to products already handed out.
   */
  resumeLine(): number {
    return this.head < this.queue.length ? this.queue[this.head]!.line : this.lastLine + 1;
  }

  /** The next position to give out (1-based). */
  nextPosition(): number {
    return this.position;
  }

  /** The id of the last product handed out. */
  lastProductId(): string | undefined {
    return this.lastEmittedId;
  }

  /** Products held open now (for tests of the memory bound). */
  openCount(): number {
    return this.queue.length - this.head;
  }

  private takeProduct(value: unknown, line: number, out: AssemblyOutput): void {
    const parsed = ProductNodeSchema.safeParse(value);
    if (!parsed.success) {
      out.issues.push(
        this.issue(
          line,
          idOf(value),
          `the product line cannot be read: ${parsed.error.issues[0]?.message ?? "invalid"}`,
        ),
      );
      return;
    }
    const node = parsed.data;
    const entry: OpenProduct = {
      // The position is given when the product is handed out: products are handed out in order.
      record: productRecordOf(node, 0),
      line,
      variantsLeft: node.variantsCount?.count ?? 0,
      mediaLeft: node.mediaCount?.count ?? 0,
    };
    this.open.set(node.id, entry);
    this.queue.push(entry);
  }

  private takeChild(value: unknown, parentId: string, line: number, out: AssemblyOutput): void {
    const entry = this.open.get(parentId);
    if (entry === undefined) {
      if (!this.options.resumed) {
        out.issues.push(
          this.issue(
            line,
            idOf(value),
            `a child line of ${parentId} came after that product was complete or without it`,
            "warning",
          ),
        );
      }
      return;
    }
    const id = idOf(value) ?? "";
    if (id.startsWith("gid://shopify/ProductVariant/")) {
      const parsed = VariantNodeSchema.safeParse(value);
      if (!parsed.success) {
        out.issues.push(
          this.issue(
            line,
            id,
            `the variant line cannot be read: ${parsed.error.issues[0]?.message ?? "invalid"}`,
          ),
        );
      } else {
        entry.record.variants.push(variantRecordOf(parsed.data, this.options.locations));
      }
      entry.variantsLeft -= 1;
    } else {
      const parsed = MediaNodeSchema.safeParse(value);
      const url = parsed.success ? parsed.data.image?.url : undefined;
      if (url !== undefined) entry.record.images.push(url);
      entry.mediaLeft -= 1;
    }
  }

  private release(out: AssemblyOutput): void {
    while (this.head < this.queue.length) {
      const entry = this.queue[this.head]!;
      const complete = entry.variantsLeft <= 0 && entry.mediaLeft <= 0;
      if (!complete && this.openCount() <= this.maxOpen) break;
      if (!complete) {
        out.issues.push(
          this.issue(
            entry.line,
            entry.record.id,
            `handed out with ${entry.variantsLeft} variant(s) still missing: more than ${this.maxOpen} products were open`,
            "warning",
          ),
        );
      }
      this.emit(out);
    }
    // Drop the handed-out prefix now and then so the queue does not grow with the file.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  private emit(out: AssemblyOutput): void {
    const entry = this.queue[this.head]!;
    this.head += 1;
    this.open.delete(entry.record.id);
    entry.record.position = this.position;
    this.position += 1;
    sortVariants(entry.record);
    this.lastEmittedId = entry.record.id;
    out.products.push(entry.record);
  }

  private issue(
    line: number,
    ref: string | undefined,
    message: string,
    severity: "error" | "warning" = "error",
  ): RowIssue {
    return {
      file: this.options.label,
      line: line + 1,
      ...(ref !== undefined ? { ref } : {}),
      severity,
      message,
    };
  }
}

function idOf(value: unknown): string | undefined {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === "string" ? id : undefined;
}
