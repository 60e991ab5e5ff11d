import { Queue, type ConnectionOptions } from 'bullmq';
import { alertsQueue } from './alerts';
import type { JobSpec, QueueContract } from './contract';
import { healthQueue } from './health';
import { importsQueue } from './imports';
import { maintenanceQueue } from './maintenance';
import { sentimentQueue } from './sentiment';

/** Every queue of the product, by its contract. A new queue is one module in server/queue/ and one line here. */
export const QUEUES = [
  sentimentQueue,
  healthQueue,
  alertsQueue,
  importsQueue,
  maintenanceQueue,
] as const satisfies readonly QueueContract[];

const byName = new Map<string, QueueContract>(QUEUES.map((contract) => [contract.name, contract as unknown as QueueContract]));

/** The contract of queue `name`, or undefined when no queue has that name. */
export function queueContract(name: string): QueueContract | undefined {
  return byName.get(name);
}

/** The spec of job `job` of queue `queue`, or undefined when either is unknown. */
export function jobSpec(queue: string, job: string): JobSpec | undefined {
  const contract = byName.get(queue);
  return contract && Object.hasOwn(contract.jobs, job) ? contract.jobs[job] : undefined;
}

/** A BullMQ queue for a contract, with its default job options. */
export function openQueue(contract: QueueContract, connection: ConnectionOptions, prefix?: string): Queue {
  return new Queue(contract.name, { connection, prefix, defaultJobOptions: contract.defaultJobOptions });
}

/** One BullMQ queue per contract. */
export function openQueues(connection: ConnectionOptions, prefix?: string): Map<string, Queue> {
  return new Map(QUEUES.map((contract) => [contract.name, openQueue(contract as unknown as QueueContract, connection, prefix)]));
}

/**
 * Registers (or updates) the schedulers of each queue in `queues`; safe on every boot of every
 * worker (a scheduler is one per id, and fires once whoever registered it).
 */
export async function registerSchedulers(queues: Map<string, Queue>): Promise<void> {
  for (const contract of QUEUES as readonly QueueContract[]) {
    const queue = queues.get(contract.name);
    if (!queue) continue;
    for (const scheduler of contract.schedulers ?? []) {
      const spec = contract.jobs[scheduler.job]!;
      await queue.upsertJobScheduler(
        scheduler.id,
        { pattern: scheduler.pattern, tz: 'UTC' },
        { name: scheduler.job, data: spec.payload.parse(scheduler.data) },
      );
    }
  }
}
