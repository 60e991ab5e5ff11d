import { describe, expect, it } from 'vitest';
import { score } from '../../eval/sentiment/run';
import { analyseLocally, detectSignals } from './local';

const analyse = (body: string, subject: string | null = null) => analyseLocally({ type: 'email', direction: 'inbound', subject, body });

describe('local sentiment provider', () => {
  it('reads polite churn as negative, with the cancellation signal', () => {
    const result = analyse(
      'Hi Tom, thanks for everything over the years — it has been a pleasure. We have decided not to renew in March. Best, Ana',
    );
    expect(result.label).toBe('negative');
    expect(result.signals).toContain('cancellation_intent');
    expect(result.score).toBeLessThanOrEqual(-0.6);
  });

  it('handles negation both ways', () => {
    expect(analyse('No complaints at all, the rollout went smoothly.').label).toBe('positive');
    expect(analyse('The export still is not working and we are not happy.').label).toBe('negative');
    expect(analyse('Not a problem, Tuesday works for us.').label).toBe('neutral');
  });

  it('keeps logistics neutral even when they say cancel or problem', () => {
    expect(analyse('Can we cancel Thursday’s call and move it to Friday?').label).toBe('neutral');
    expect(detectSignals('Can we cancel Thursday’s call and move it to Friday?')).toEqual([]);
    expect(analyse('Please send the renewal paperwork to legal@example.com. Kind regards, Callum').label).toBe('neutral');
  });

  it('finds churn and expansion signals', () => {
    expect(detectSignals('Our budget for next year has been cut by 40% and we are evaluating a cheaper competitor.')).toEqual(
      expect.arrayContaining(['budget_cut', 'competitor_mentioned', 'pricing_complaint']),
    );
    expect(detectSignals('Sarah, our sponsor, is leaving at the end of the month.')).toContain('champion_leaving');
    expect(detectSignals('Still waiting on a reply to the ticket, third time asking.')).toContain('support_frustration');
    expect(detectSignals('The dashboard keeps crashing since the update.')).toContain('product_problem');
    const expansion = analyse('We would like to add 20 more seats for the London team.');
    expect(expansion.signals).toContain('expansion_interest');
    expect(expansion.label).toBe('positive');
  });

  it('turns sarcastic praise against itself', () => {
    expect(analyse('oh great, the dashboard is down again. love that for us').label).toBe('negative');
  });

  it('returns a result the schema accepts: score in −1..1, a one-line summary from the text', () => {
    const result = analyse('The integration keeps failing.', 'Sync');
    expect(result.score).toBeGreaterThanOrEqual(-1);
    expect(result.confidence).toBeLessThanOrEqual(1);
    expect(result.summary).toBe('Negative (product problem or outage): “The integration keeps failing.”');
  });
});

describe('evaluation figures', () => {
  it('computes accuracy and macro-F1', () => {
    // positive: P 1, R 0.5 → F1 0.667; neutral: P 0.5, R 1 → 0.667; negative: P 1, R 1 → 1.
    expect(score(['positive', 'positive', 'neutral', 'negative'], ['positive', 'neutral', 'neutral', 'negative'])).toEqual({
      accuracy: 0.75,
      macroF1: 0.778,
      n: 4,
    });
  });
});
