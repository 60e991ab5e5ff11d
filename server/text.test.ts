import { expect, it } from 'vitest';
import { clientFieldsSchema, logInteractionInput } from './clients/schemas';
import { isStorableText, text, UNSTORABLE_TEXT_MESSAGE } from './text';

it('accepts what people write, emoji included, and refuses NUL and lone surrogates with the field message', () => {
  expect(isStorableText('Grüße, 東京 👋🏽 — café')).toBe(true);
  expect(isStorableText('nul\0here')).toBe(false);
  expect(isStorableText('half \uD83D emoji')).toBe(false);
  expect(isStorableText('tail \uDC4B')).toBe(false);
  const parsed = text().trim().max(10).safeParse('a\0b');
  expect(parsed.success).toBe(false);
  expect(parsed.error?.issues[0]?.message).toBe(UNSTORABLE_TEXT_MESSAGE);
});

it('guards the domain schemas: a client name or interaction text Postgres could not store is a field error', () => {
  const client = clientFieldsSchema.safeParse({ name: 'Acme\0' });
  expect(client.success).toBe(false);
  expect(client.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toContainEqual(['name', UNSTORABLE_TEXT_MESSAGE]);
  const interaction = logInteractionInput.safeParse({
    clientId: '6f1c2a8e-4b7d-4c1e-9a3f-2b5d8e7c6a10',
    fields: { type: 'email', direction: 'inbound', body: 'Hi \uD83D' },
  });
  expect(interaction.success).toBe(false);
  expect(interaction.error?.issues.map((issue) => issue.path.join('.'))).toContain('fields.body');
});
