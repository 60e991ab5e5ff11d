import { z } from 'zod';
import { QUEUE_NAMES } from './admin';

export const queueNameSchema = z.enum(QUEUE_NAMES as [string, ...string[]], { error: 'No queue has that name.' });
export const failedJobsInputSchema = z.object({ queue: queueNameSchema.optional() });
export const retryFailedJobInputSchema = z.object({ failedJobId: z.uuid({ error: 'Not a failed job id.' }) });
export const retryAllInputSchema = z.object({ queue: queueNameSchema.optional() });
