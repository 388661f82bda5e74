import type { BullMQAdapter } from "@bull-board/api/bullMQAdapter";

/**
 * A BullMQ queue as the server sees it: what Bull Board's adapter takes (it reads the queue's
 * name and job counts too). Typed through bull-board so that the server never imports bullmq;
 * `src/jobs` opens the queues and hands them in.
 */
export type BoardQueue = ConstructorParameters<typeof BullMQAdapter>[0];

/** A worker that reported itself recently (its heartbeat), as `src/jobs` lists them. */
export interface LiveWorker {
  /** `host:pid`. */
  id: string;
  /** The lanes it takes jobs from. */
  lanes: string[];
  /** Epoch ms of its last heartbeat. */
  lastSeen: number;
}
