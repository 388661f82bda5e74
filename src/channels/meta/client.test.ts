import type { AxiosResponse } from "axios";
import { afterEach, describe, expect, it } from "vitest";
import { startMetaSimulator, type MetaSimulator } from "../../dev/simulators/meta.js";
import type { RateLimiter } from "../../infra/rate-limit.js";
import {
  appSecretProof,
  createMetaClient,
  kindOfGraphCode,
  readGraphError,
  regainAccessMs,
} from "./client.js";
import { MetaAccountSchema } from "./config.js";

function response(status: number, data: unknown, headers: Record<string, string> = {}): AxiosResponse {
  return { status, data, headers, statusText: "", config: {} as AxiosResponse["config"] };
}

describe("Graph errors", () => {
  it("are classified by code, not by HTTP status", () => {
    expect(kindOfGraphCode(80014, true, 400)).toBe("rate_limited");
    expect(kindOfGraphCode(4, undefined, 403)).toBe("rate_limited");
    expect(kindOfGraphCode(613, undefined, 400)).toBe("rate_limited");
    expect(kindOfGraphCode(190, undefined, 400)).toBe("auth");
    expect(kindOfGraphCode(200, undefined, 403)).toBe("auth");
    expect(kindOfGraphCode(10, undefined, 400)).toBe("auth");
    expect(kindOfGraphCode(1, undefined, 500)).toBe("transient");
    expect(kindOfGraphCode(2, undefined, 503)).toBe("transient");
    expect(kindOfGraphCode(100, undefined, 400)).toBe("rejected");
    expect(kindOfGraphCode(12345, true, 400)).toBe("transient");
    expect(kindOfGraphCode(undefined, undefined, 502)).toBe("transient");
  });

  it("keep the code, the trace id and the wait, and never a secret Meta echoes", () => {
    const token = "EAAsecret123";
    const reading = readGraphError(
      response(
        400,
        {
          error: {
            message: `(#80014) There have been too many calls for this catalog. Token ${token}`,
            type: "OAuthException",
            code: 80014,
            is_transient: true,
            fbtrace_id: "AbCdEf",
          },
        },
        {
          "x-business-use-case-usage": JSON.stringify({
            "123": [{ type: "catalog_batch", call_count: 100, estimated_time_to_regain_access: 3 }],
          }),
        },
      ),
      [token],
    );
    expect(reading).toEqual({
      kind: "rate_limited",
      message:
        "(#80014) There have been too many calls for this catalog. Token [redacted] [fbtrace_id AbCdEf]",
      retryAfterMs: 180_000,
    });
    expect(
      readGraphError(
        response(400, { error: { message: "Invalid parameter", code: 100, error_subcode: 33 } }),
        [],
      ),
    ).toEqual({
      kind: "rejected",
      message: "(#100) Invalid parameter [subcode 33]",
    });
    expect(readGraphError(response(502, "<html>Bad gateway</html>"), [])).toBeUndefined();
  });

  it("read the longest regain time of every usage bucket, in milliseconds", () => {
    expect(regainAccessMs({})).toBe(0);
    expect(
      regainAccessMs({
        "x-business-use-case-usage": JSON.stringify({
          "1": [{ estimated_time_to_regain_access: 0 }, { estimated_time_to_regain_access: 2 }],
          "2": [{ estimated_time_to_regain_access: 5 }],
        }),
        "x-app-usage": JSON.stringify({ call_count: 40 }),
      }),
    ).toBe(300_000);
    expect(regainAccessMs({ "x-business-use-case-usage": "not json" })).toBe(0);
  });

  it("appsecret_proof is the hex HMAC-SHA256 of the token keyed by the app secret", () => {
    // Known answer from `printf token | openssl dgst -sha256 -hmac secret`.
    expect(appSecretProof("token", "secret")).toBe(
      "e941110e3d2bfe82621f0e3e1434730d7305d106c5f68c87165d0b27a4611a4a",
    );
    expect(appSecretProof("token", "secret")).not.toBe(appSecretProof("token", "other"));
  });
});

describe("Meta client against the simulator", () => {
  let sim: MetaSimulator | undefined;
  afterEach(async () => {
    await sim?.close();
  });

  it("pauses the account's bucket for the time Meta says access comes back", async () => {
    // One call per two minutes: the second call is throttled with two minutes to wait.
    sim = await startMetaSimulator({ rateLimit: { perSecond: 1 / 120, burst: 1 } });
    const pauses: number[] = [];
    const limiter: RateLimiter = {
      take: () => Promise.resolve(),
      pause: (waitMs) => {
        pauses.push(waitMs);
        return Promise.resolve();
      },
    };
    const account = MetaAccountSchema.parse(sim.accountSettings);
    const client = createMetaClient({
      account: { ...account, catalog_id: sim.catalogId },
      accessToken: sim.accessToken,
      appSecret: sim.env.OMNIFEED_META_APP_SECRET,
      limiter,
      attempts: 1,
    });
    await client.itemsBatch([{ method: "DELETE", data: { id: "A" } }]);
    const error: unknown = await client
      .itemsBatch([{ method: "DELETE", data: { id: "A" } }])
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: "rate_limited", retryAfterMs: 120_000 });
    expect(pauses).toContain(120_000);
    expect((error as Error).message).not.toContain(sim.accessToken);
  });
});
