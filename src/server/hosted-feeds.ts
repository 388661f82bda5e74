import { constants, type BigIntStats } from "node:fs";
import { open, stat, type FileHandle } from "node:fs/promises";
import { extname, join } from "node:path";
import { pipeline } from "node:stream";
import { createGzip } from "node:zlib";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { OmnifeedError } from "../core/errors.js";
import { MANIFEST_FILE, readManifest } from "../feeds/manifest.js";

/**
 * Hosted feed URLs for channels that fetch a file on a schedule (Google, Meta): `/feeds/<file>`
 * serves only the files the output folder's publish manifest lists. Everything else — a name
 * not listed, an unreadable manifest, a path with `..` or an encoded slash, a symlink, a temp
 * file, the run report — is the same 404, so a probe learns nothing about the folder.
 */

export interface HostedFeedsOptions {
  /** The export output folder (`output.dir` / `server.feeds_dir`). */
  dir: string;
}

const PREFIX = "/feeds/";

const CONTENT_TYPES: Record<string, string> = {
  ".xml": "application/xml; charset=utf-8",
  ".tsv": "text/tab-separated-values; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".jsonl": "application/jsonl; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".gz": "application/gzip",
};

/** Content-Type by extension; a `.gz` file is sent as it is, as a gzip file. */
export function contentTypeOf(name: string): string {
  return CONTENT_TYPES[extname(name).toLowerCase()] ?? "application/octet-stream";
}

// Fetchers poll; each fetch revalidates and gets a 304 when nothing changed. `private`: the
// answer was authorized, so no shared cache may keep it.
const CACHE_CONTROL = "private, no-cache";

function notFound(): OmnifeedError {
  return new OmnifeedError("not_found", "no such feed");
}

/**
 * The file name a raw request path asks for, or `undefined` when it is anything but one plain
 * segment: the raw URL is read (not the router's decoded parameter) so that `%2f`, `%5c`,
 * `%2e%2e` and friends are refused before any decoding could turn them into path syntax.
 */
export function requestedFeedName(rawUrl: string): string | undefined {
  const path = rawUrl.split(/[?#]/, 1)[0] ?? "";
  if (!path.startsWith(PREFIX)) return undefined;
  const segment = path.slice(PREFIX.length);
  if (segment === "" || /[/\\]|%(2f|5c|00)/i.test(segment)) return undefined;
  let name: string;
  try {
    name = decodeURIComponent(segment);
  } catch {
    return undefined;
  }
  // Published feeds never start with a dot; temp files and the manifest do.
  if (name.startsWith(".") || /[/\\\0]/.test(name)) return undefined;
  return name;
}

/** The manifest's file names, re-read only when the manifest file changed. */
function manifestReader(dir: string, onUnreadable: (error: unknown) => void): () => Promise<Set<string>> {
  let cached: { version: string; files: Set<string> } | undefined;
  return async () => {
    let version: string;
    try {
      const info = await stat(join(dir, MANIFEST_FILE), { bigint: true });
      version = `${info.ino}-${info.size}-${info.mtimeNs}`;
    } catch {
      // No manifest (nothing published yet) or an unreadable folder: nothing is served.
      return new Set();
    }
    if (cached?.version === version) return cached.files;
    try {
      const manifest = await readManifest(dir);
      const files = new Set(Object.values(manifest.feeds).flatMap((feed) => feed.files));
      cached = { version, files };
      return files;
    } catch (error) {
      onUnreadable(error);
      return new Set();
    }
  };
}

/** True when `Accept-Encoding` accepts gzip (by name or `*`, with a non-zero q). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let star: boolean | undefined;
  for (const part of header.split(",")) {
    const [token = "", ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((param) => param.trim()).find((param) => param.startsWith("q="));
    const accepted = q === undefined || Number(q.slice(2)) > 0;
    if (token.trim() === "gzip" || token.trim() === "x-gzip") return accepted;
    if (token.trim() === "*") star = accepted;
  }
  return star ?? false;
}

/** Strong ETag of one file version: a published file is replaced by rename, never rewritten. */
function etagOf(info: BigIntStats, gzip: boolean): string {
  const base = `${info.ino.toString(16)}-${info.size.toString(16)}-${info.mtimeNs.toString(16)}`;
  return `"${base}${gzip ? "-gz" : ""}"`;
}

/** `If-None-Match` against the file's ETags (weak comparison, as RFC 9110 asks for this header). */
function noneMatch(header: string, etags: readonly string[]): boolean {
  const strip = (tag: string): string => tag.trim().replace(/^W\//, "");
  const wanted = etags.map(strip);
  return header.split(",").some((tag) => strip(tag) === "*" || wanted.includes(strip(tag)));
}

function notModifiedSince(header: string, info: BigIntStats): boolean {
  const since = Date.parse(header);
  if (Number.isNaN(since)) return false;
  // HTTP dates have whole seconds.
  const modified = Math.floor(Number(info.mtimeMs) / 1000) * 1000;
  return modified <= since;
}

async function openFeed(path: string): Promise<{ handle: FileHandle; info: BigIntStats }> {
  let handle: FileHandle;
  try {
    // O_NOFOLLOW: a symlink put in the folder is never followed (it could point anywhere).
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    throw notFound();
  }
  try {
    const info = await handle.stat({ bigint: true });
    if (!info.isFile()) throw notFound();
    return { handle, info };
  } catch (error) {
    await handle.close();
    throw error instanceof OmnifeedError ? error : notFound();
  }
}

/**
 * Registers `GET`/`HEAD /feeds/<file>`. The file is opened once and both the validators and
 * the body come from that descriptor, so an export renaming a new file into place mid-response
 * never mixes two versions: this answer finishes with the old file, the next gets the new one.
 */
export function registerHostedFeeds(app: FastifyInstance, options: HostedFeedsOptions): void {
  const filesOf = manifestReader(options.dir, (error) =>
    app.log.warn({ err: error }, "publish manifest unreadable; no feed is served"),
  );

  const serve = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const name = requestedFeedName(request.raw.url ?? "");
    if (name === undefined || !(await filesOf()).has(name)) throw notFound();
    const { handle, info } = await openFeed(join(options.dir, name));

    const alreadyGzip = extname(name).toLowerCase() === ".gz";
    const gzip = !alreadyGzip && acceptsGzip(request.headers["accept-encoding"]);
    const etag = etagOf(info, gzip);
    reply
      .header("content-type", contentTypeOf(name))
      .header("etag", etag)
      .header("last-modified", new Date(Number(info.mtimeMs)).toUTCString())
      .header("cache-control", CACHE_CONTROL)
      .header("x-content-type-options", "nosniff");
    if (!alreadyGzip) reply.header("vary", "Accept-Encoding");

    const ifNoneMatch = request.headers["if-none-match"];
    const ifModifiedSince = request.headers["if-modified-since"];
    const unchanged =
      ifNoneMatch !== undefined
        ? noneMatch(ifNoneMatch, [etagOf(info, false), etagOf(info, true)])
        : ifModifiedSince !== undefined && notModifiedSince(ifModifiedSince, info);
    if (unchanged || request.method === "HEAD") {
      await handle.close();
      if (unchanged) return reply.code(304).removeHeader("content-type").send();
      if (!gzip) reply.header("content-length", info.size.toString());
      else reply.header("content-encoding", "gzip");
      return reply.send();
    }

    const body = handle.createReadStream({ highWaterMark: 1 << 16 });
    if (!gzip) return reply.header("content-length", info.size.toString()).send(body);
    const zipped = createGzip();
    // A read or compression error ends the answer; the descriptor closes with the stream.
    pipeline(body, zipped, (error) => {
      if (error) request.log.warn({ err: error }, "feed stream ended early");
    });
    return reply.header("content-encoding", "gzip").send(zipped);
  };

  app.route({ method: ["GET", "HEAD"], url: `${PREFIX}*`, compress: false, handler: serve });
}
