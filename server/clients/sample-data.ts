/**
 * Realistic sample portfolios, deterministic for a given seed: the demo workspace and the scale
 * benchmarks use the same generator, so what is measured looks like what people see.
 */

/** mulberry32: a small, fast, seedable PRNG — reproducible data, not security. */
export function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    chance: (probability: number) => next() < probability,
  };
}
export type Random = ReturnType<typeof createRandom>;

const PREFIXES = ['North', 'Blue', 'Silver', 'Bright', 'Iron', 'Green', 'Summit', 'Harbor', 'Pioneer', 'Atlas', 'Nova', 'Crest', 'Maple', 'Vertex', 'Orbit', 'Cedar', 'Falcon', 'Lumen', 'Granite', 'Coral'];
const CORES = ['wind', 'field', 'stone', 'bridge', 'point', 'light', 'wave', 'path', 'forge', 'gate', 'line', 'peak', 'works', 'labs', 'grid', 'leaf'];
const SUFFIXES = ['Logistics', 'Health', 'Analytics', 'Retail', 'Software', 'Finance', 'Foods', 'Energy', 'Media', 'Robotics', 'Travel', 'Insurance', 'Education', 'Manufacturing', 'Legal'];
const FIRST = ['Ana', 'Ben', 'Chloe', 'David', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kara', 'Liam', 'Maya', 'Noah', 'Olga', 'Priya', 'Quinn', 'Rafael', 'Sara', 'Tomás'];
const LAST = ['Adams', 'Baker', 'Costa', 'Dubois', 'Evans', 'Fischer', 'Garcia', 'Hansen', 'Ito', 'Jensen', 'Kowalski', 'Larsen', 'Moreau', 'Nakamura', 'Okafor', 'Patel', 'Rossi', 'Schmidt', 'Tanaka', 'Weber'];
const TITLES = ['VP Operations', 'Head of Customer Success', 'CTO', 'Procurement Manager', 'Director of Finance', 'Product Lead', 'COO', 'IT Manager'];
const PLANS = ['Starter', 'Growth', 'Business', 'Enterprise'];
const TAGS = ['enterprise', 'smb', 'mid-market', 'emea', 'amer', 'apac', 'beta', 'strategic', 'upsell'];

type Tone = 'positive' | 'neutral' | 'negative';
const MESSAGES: Record<Tone, ReadonlyArray<readonly [string, string]>> = {
  positive: [
    ['Quarterly review went well', 'The team is really happy with the new dashboards. Adoption is up across all three regions and they want to talk about adding seats.'],
    ['Thanks for the quick fix', 'Thanks so much for turning the export issue around in a day. Our finance team noticed and appreciated it.'],
    ['Expansion', 'We would like to roll this out to the Berlin office next quarter. Can you send a proposal?'],
  ],
  neutral: [
    ['Invoice address', 'Please send future invoices to accounts@ — our finance team moved.'],
    ['Meeting moved', 'Can we move Thursday’s sync to Friday 10:00? Same agenda.'],
    ['Onboarding call notes', 'Walked through SSO setup and the import. Next step: they share the CSV of historical data.'],
  ],
  negative: [
    ['Outage again', 'This is the third outage this month. Our support team could not work for two hours. We need a plan or we will have to look at alternatives.'],
    ['Renewal', 'Thanks for everything over the past two years, but we will not renew — budget for next year was cut.'],
    ['Pricing', 'The new pricing is hard to justify internally. A competitor offered us a much better deal.'],
  ],
} as const;
const INTERACTION_TYPES = ['email', 'call', 'meeting', 'support_ticket', 'chat', 'note'] as const;

export type SampleClient = {
  name: string;
  domain: string;
  externalId: string;
  status: 'active' | 'paused' | 'churned';
  churnedAt: string | null;
  churnReason: string | null;
  mrrCents: number;
  planName: string;
  renewalDate: string | null;
  tags: string[];
  contacts: Array<{ name: string; email: string; title: string; isPrimary: boolean }>;
  interactions: Array<{ type: (typeof INTERACTION_TYPES)[number]; direction: 'inbound' | 'outbound' | 'internal'; occurredAt: Date; subject: string; body: string }>;
};

const day = 86_400_000;
const isoDate = (date: Date) => date.toISOString().slice(0, 10);

/** The `index`-th client of a portfolio; `interactions` caps how many it gets. */
export function sampleClient(random: Random, index: number, options: { now?: Date; maxInteractions?: number } = {}): SampleClient {
  const now = options.now ?? new Date();
  const name = `${random.pick(PREFIXES)}${random.pick(CORES)} ${random.pick(SUFFIXES)}${index >= 1000 ? ` ${index}` : ''}`;
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  const domain = `${slug}-${index}.example`;
  const churned = random.chance(0.08);
  const paused = !churned && random.chance(0.05);
  // Moods drive what clients say: most are fine, some are drifting, a few are on their way out.
  const mood: Tone = churned ? 'negative' : random.chance(0.6) ? 'positive' : random.chance(0.6) ? 'neutral' : 'negative';
  const contactCount = random.int(1, 3);
  const contacts = Array.from({ length: contactCount }, (_, contactIndex) => {
    const first = random.pick(FIRST);
    const last = random.pick(LAST);
    return { name: `${first} ${last}`, email: `${first}.${last}${contactIndex}@${domain}`.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, ''), title: random.pick(TITLES), isPrimary: contactIndex === 0 };
  });
  const interactionCount = random.int(2, options.maxInteractions ?? 12);
  const interactions = Array.from({ length: interactionCount }, () => {
    const tone: Tone = random.chance(0.7) ? mood : random.pick(['positive', 'neutral', 'negative'] as const);
    const [subject, body] = random.pick(MESSAGES[tone]);
    const type = random.pick(INTERACTION_TYPES);
    const direction = random.chance(0.15) ? 'internal' : random.chance(0.55) ? 'inbound' : 'outbound';
    return { type, direction, occurredAt: new Date(now.getTime() - random.int(0, 180) * day - random.int(0, 86_399) * 1000), subject, body } as const;
  });
  return {
    name,
    domain,
    externalId: `CRM-${String(100000 + index)}`,
    status: churned ? 'churned' : paused ? 'paused' : 'active',
    churnedAt: churned ? isoDate(new Date(now.getTime() - random.int(5, 200) * day)) : null,
    churnReason: churned ? random.pick(['Budget cut', 'Moved to a competitor', 'Company acquired', 'Product no longer needed']) : null,
    mrrCents: random.int(2, 400) * 5000,
    planName: random.pick(PLANS),
    renewalDate: churned ? null : isoDate(new Date(now.getTime() + random.int(-10, 365) * day)),
    tags: [...new Set(Array.from({ length: random.int(0, 3) }, () => random.pick(TAGS)))].sort(),
    contacts,
    interactions,
  };
}
