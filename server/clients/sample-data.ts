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

const PREFIXES = [
  'North',
  'Blue',
  'Silver',
  'Bright',
  'Iron',
  'Green',
  'Summit',
  'Harbor',
  'Pioneer',
  'Atlas',
  'Nova',
  'Crest',
  'Maple',
  'Vertex',
  'Orbit',
  'Cedar',
  'Falcon',
  'Lumen',
  'Granite',
  'Coral',
];
const CORES = [
  'wind',
  'field',
  'stone',
  'bridge',
  'point',
  'light',
  'wave',
  'path',
  'forge',
  'gate',
  'line',
  'peak',
  'works',
  'labs',
  'grid',
  'leaf',
];
const SUFFIXES = [
  'Logistics',
  'Health',
  'Analytics',
  'Retail',
  'Software',
  'Finance',
  'Foods',
  'Energy',
  'Media',
  'Robotics',
  'Travel',
  'Insurance',
  'Education',
  'Manufacturing',
  'Legal',
];
const FIRST = [
  'Ana',
  'Ben',
  'Chloe',
  'David',
  'Elena',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kara',
  'Liam',
  'Maya',
  'Noah',
  'Olga',
  'Priya',
  'Quinn',
  'Rafael',
  'Sara',
  'Tomás',
];
const LAST = [
  'Adams',
  'Baker',
  'Costa',
  'Dubois',
  'Evans',
  'Fischer',
  'Garcia',
  'Hansen',
  'Ito',
  'Jensen',
  'Kowalski',
  'Larsen',
  'Moreau',
  'Nakamura',
  'Okafor',
  'Patel',
  'Rossi',
  'Schmidt',
  'Tanaka',
  'Weber',
];
const TITLES = [
  'VP Operations',
  'Head of Customer Success',
  'CTO',
  'Procurement Manager',
  'Director of Finance',
  'Product Lead',
  'COO',
  'IT Manager',
];
const PLANS = ['Starter', 'Growth', 'Business', 'Enterprise'];
const TAGS = ['enterprise', 'smb', 'mid-market', 'emea', 'amer', 'apac', 'beta', 'strategic', 'upsell'];

type Tone = 'positive' | 'neutral' | 'negative';
const MESSAGES: Record<Tone, ReadonlyArray<readonly [string, string]>> = {
  positive: [
    [
      'Quarterly review went well',
      'The team is really happy with the new dashboards. Adoption is up across all three regions and they want to talk about adding seats.',
    ],
    [
      'Thanks for the quick fix',
      'Thanks so much for turning the export issue around in a day. Our finance team noticed and appreciated it.',
    ],
    ['Expansion', 'We would like to roll this out to the Berlin office next quarter. Can you send a proposal?'],
  ],
  neutral: [
    ['Invoice address', 'Please send future invoices to accounts@ — our finance team moved.'],
    ['Meeting moved', 'Can we move Thursday’s sync to Friday 10:00? Same agenda.'],
    ['Onboarding call notes', 'Walked through SSO setup and the import. Next step: they share the CSV of historical data.'],
  ],
  negative: [
    [
      'Outage again',
      'This is the third outage this month. Our support team could not work for two hours. ' +
        'We need a plan or we will have to look at alternatives.',
    ],
    ['Renewal', 'Thanks for everything over the past two years, but we will not renew — budget for next year was cut.'],
    ['Pricing', 'The new pricing is hard to justify internally. A competitor offered us a much better deal.'],
  ],
} as const;
const INTERACTION_TYPES = ['email', 'call', 'meeting', 'support_ticket', 'chat', 'note'] as const;

/** How a client's story goes; churners mostly sour first, some leave without warning. */
export type SampleStory = 'steady' | 'drifting' | 'recovered' | 'churn-warned' | 'churn-silent';
export type SampleInteraction = {
  type: (typeof INTERACTION_TYPES)[number];
  direction: 'inbound' | 'outbound' | 'internal';
  occurredAt: Date;
  subject: string;
  body: string;
  /** What the message says, for data loaded without the sentiment worker (the scale benchmarks). */
  tone: Tone;
  cancellation: boolean;
};

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
  story: SampleStory;
  contacts: Array<{ name: string; email: string; title: string; isPrimary: boolean }>;
  interactions: SampleInteraction[];
};

/** A sample client's own columns of `clients` (its workspace, owner and tags are for the caller to write). */
export function sampleClientColumns(sample: SampleClient) {
  return {
    name: sample.name,
    domain: sample.domain,
    external_id: sample.externalId,
    status: sample.status,
    churned_at: sample.churnedAt,
    churn_reason: sample.churnReason,
    mrr_cents: sample.mrrCents,
    plan_name: sample.planName,
    renewal_date: sample.renewalDate,
  };
}

const day = 86_400_000;
const isoDate = (date: Date) => date.toISOString().slice(0, 10);
/** Messages that say the client is leaving (the local provider flags them as cancellation intent). */
const CANCELLATION = MESSAGES.negative[1]!;

function pickTone(random: Random, negative: number, positive: number): Tone {
  const roll = random.next();
  return roll < negative ? 'negative' : roll < negative + positive ? 'positive' : 'neutral';
}

/**
 * The `index`-th client of a portfolio. Interactions span the year before now (or before the churn
 * date) and follow the client's story, so a backtest has something real to find: 80% of churners
 * sour over their last 120 days (ever more negative, quieter in the last 45, a cancellation near the
 * end), 20% leave without warning; some active clients drift (a bad patch in the last 60 days) or
 * recovered from one (200–300 days ago).
 * `interactions` fixes how many it would get (else 2..maxInteractions); souring churners get fewer.
 */
export function sampleClient(
  random: Random,
  index: number,
  options: { now?: Date; maxInteractions?: number; interactions?: number } = {},
): SampleClient {
  const now = options.now ?? new Date();
  const name = `${random.pick(PREFIXES)}${random.pick(CORES)} ${random.pick(SUFFIXES)}${index >= 1000 ? ` ${index}` : ''}`;
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  const domain = `${slug}-${index}.example`;
  const churned = random.chance(0.08);
  const paused = !churned && random.chance(0.05);
  const story: SampleStory = churned
    ? random.chance(0.8)
      ? 'churn-warned'
      : 'churn-silent'
    : random.chance(0.7)
      ? 'steady'
      : random.chance(0.6)
        ? 'drifting'
        : 'recovered';
  const churnDaysAgo = churned ? random.int(5, 270) : 0;
  const end = now.getTime() - churnDaysAgo * day;
  // Baseline mood of the relationship: share of positive messages.
  const positive = 0.35 + random.next() * 0.35;
  const contactCount = random.int(1, 3);
  const contacts = Array.from({ length: contactCount }, (_, contactIndex) => {
    const first = random.pick(FIRST);
    const last = random.pick(LAST);
    return {
      name: `${first} ${last}`,
      email: `${first}.${last}${contactIndex}@${domain}`
        .toLowerCase()
        .normalize('NFKD')
        .replace(/[\u0300-\u036f]/g, ''),
      title: random.pick(TITLES),
      isPrimary: contactIndex === 0,
    };
  });
  const interactionCount = options.interactions ?? random.int(2, options.maxInteractions ?? 12);
  const interactions: SampleInteraction[] = [];
  for (let count = 0; count < interactionCount; count += 1) {
    const age = random.next() * 365;
    // Souring churners go quiet: most of what would have been said lately was never said.
    const unsaid = story === 'churn-warned' && age < 45 && random.chance(0.6);
    let tone: Tone;
    if (story === 'churn-warned' && age < 120) tone = pickTone(random, 0.2 + 0.65 * (1 - age / 120), 0.1);
    else if (story === 'drifting' && age < 60) tone = pickTone(random, 0.5, 0.15);
    else if (story === 'recovered' && age >= 200 && age < 300) tone = pickTone(random, 0.6, 0.1);
    else tone = pickTone(random, 0.08, positive);
    const cancellation = story === 'churn-warned' && tone === 'negative' && age < 30 && random.chance(0.5);
    const [subject, body] = cancellation ? CANCELLATION : random.pick(MESSAGES[tone].filter((message) => message !== CANCELLATION));
    const type = random.pick(INTERACTION_TYPES);
    const direction = random.chance(0.15) ? 'internal' : random.chance(0.55) ? 'inbound' : 'outbound';
    if (!unsaid)
      interactions.push({ type, direction, occurredAt: new Date(end - Math.round(age * day)), subject, body, tone, cancellation });
  }
  return {
    name,
    domain,
    externalId: `CRM-${String(100000 + index)}`,
    status: churned ? 'churned' : paused ? 'paused' : 'active',
    churnedAt: churned ? isoDate(new Date(end)) : null,
    churnReason: churned
      ? story === 'churn-silent'
        ? random.pick(['Company acquired', 'Product no longer needed'])
        : random.pick(['Budget cut', 'Moved to a competitor', 'Unhappy with support'])
      : null,
    mrrCents: random.int(2, 400) * 5000,
    planName: random.pick(PLANS),
    renewalDate: churned ? null : isoDate(new Date(now.getTime() + random.int(-10, 365) * day)),
    tags: [...new Set(Array.from({ length: random.int(0, 3) }, () => random.pick(TAGS)))].sort(),
    story,
    contacts,
    interactions,
  };
}
