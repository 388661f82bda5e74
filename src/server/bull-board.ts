import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { FastifyAdapter } from "@bull-board/fastify";
import type { FastifyInstance } from "fastify";
import type { BoardQueue } from "./queues.js";

/** Where Bull Board is served. */
export const BULL_BOARD_PATH = "/admin/queues";

/**
 * Registers Bull Board (jobs of every lane: waiting, failed with their reasons, retry) at
 * `/admin/queues` in `app`'s scope; the caller registers it inside the authenticated scope.
 */
export async function registerBullBoard(app: FastifyInstance, queues: readonly BoardQueue[]): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue)),
    // @bull-board/fastify 9.10.1 pins its own @bull-board/api 9.10.1 beside our 9.10.2: the same
    // adapter contract, declared twice, so the types differ in name only.
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]["serverAdapter"],
    options: { uiConfig: { boardTitle: "omnifeed" } },
  });
  await app.register(serverAdapter.registerPlugin(), { prefix: BULL_BOARD_PATH });
}
