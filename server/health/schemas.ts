import { z } from 'zod';

/** The health domain's inputs: the model settings (weights and thresholds) and a client's explanation. */

const weight = (label: string) =>
  z
    .number({ error: `Enter the ${label} weight as a whole number from 0 to 100.` })
    .int(`The ${label} weight must be a whole number.`)
    .min(0, 'At least 0.')
    .max(100, 'At most 100.');
const threshold = (label: string) =>
  z.number({ error: `Enter the ${label} threshold as a whole number.` }).int(`The ${label} threshold must be a whole number.`);

/** Flat, so each key is a form field's name and its errors show beside it. */
export const healthSettingsSchema = z
  .object({
    weightSentiment: weight('sentiment'),
    weightEngagement: weight('engagement'),
    weightSurvey: weight('survey'),
    weightPayment: weight('payment'),
    weightUsage: weight('usage'),
    healthyThreshold: threshold('healthy').min(1, 'At least 1.').max(100, 'At most 100.'),
    criticalThreshold: threshold('critical').min(0, 'At least 0.').max(99, 'At most 99.'),
  })
  .superRefine((value, context) => {
    const total = value.weightSentiment + value.weightEngagement + value.weightSurvey + value.weightPayment + value.weightUsage;
    if (total !== 100)
      context.addIssue({ code: 'custom', path: ['weightTotal'], message: `The weights add up to ${total}; they must add up to 100.` });
    if (value.criticalThreshold >= value.healthyThreshold) {
      context.addIssue({
        code: 'custom',
        path: ['criticalThreshold'],
        message: `The critical threshold must be below the healthy threshold (${value.healthyThreshold}).`,
      });
    }
  });
export type HealthSettingsInput = z.infer<typeof healthSettingsSchema>;

export const clientHealthInput = z.object({ clientId: z.uuid(), days: z.number().int().min(7).max(365).default(90) });
