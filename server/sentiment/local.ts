import { createRequire } from 'node:module';
import type { ChurnSignal, SentimentInput, SentimentLabel, SentimentProvider, SentimentResult } from './types';
import { SIGNAL_NAMES } from './types';

/**
 * The offline provider (decision 015): the AFINN-165 word list that ships with the `sentiment`
 * library, corrected and extended by a customer-success lexicon, scored per clause with negation,
 * intensifiers and "but"-weighting, plus pattern rules for the churn signals. Deterministic and
 * fast (no network, no model files).
 */

const require = createRequire(import.meta.url);
const AFINN = require('sentiment/languages/en/labels.json') as Record<string, number>;

/** Customer-success vocabulary: words AFINN lacks or scores for other domains. Values −5..5. */
const CS_WORDS: Record<string, number> = {
  // Business vocabulary that AFINN scores for other domains.
  effective: 0.5,
  legal: 0,
  conflict: -0.5,
  chance: 0.5,
  trust: 2,
  trusted: 2,
  referred: 2.5,
  referral: 2,
  hassle: -2.5,
  unreturned: -2.5,
  late: -1,
  skeptical: -1,
  // Emoji (replaced by these words before tokenizing).
  emoji_love: 3,
  emoji_fire: 2,
  emoji_party: 2.5,
  emoji_thumbs_up: 1.5,
  emoji_clap: 2,
  emoji_smile: 1,
  emoji_angry: -3,
  emoji_sad: -2,
  emoji_thumbs_down: -2.5,
  // Politeness is not sentiment: "thanks for everything, we will not renew" is negative.
  thanks: 0.5,
  thank: 0.5,
  thx: 0.3,
  appreciate: 1,
  appreciated: 1,
  please: 0,
  regards: 0,
  cheers: 0.3,
  hope: 0,
  kind: 0,
  kindly: 0,
  welcome: 0.5,
  sorry: -0.5,
  // Logistics: words that name things, not feelings.
  cancel: 0,
  cancelled: 0,
  risk: 0,
  risks: 0,
  leave: 0,
  missed: -0.5,
  mistake: -0.5,
  promised: 0,
  promise: 0,
  security: 0,
  top: 0,
  best: 0.5,
  dear: 0,
  warm: 0.5,
  lovely: 1.5,
  pleasure: 1,
  grateful: 1,
  positive: 2,
  definitely: 1,
  definately: 1,
  rock: 2.5,
  rocks: 2.5,
  indispensable: 3.5,
  breeze: 2.5,
  clearest: 2.5,
  'no-brainer': 3,
  incident: -2,
  incidents: -2.5,
  gripe: -1.5,
  frozen: -1.5,
  dropped: -1.5,
  drop: -1,
  declining: -2.5,
  tender: -1,
  canceled: 0,
  problem: -1,
  problems: -1.5,
  issue: -1,
  issues: -1.5,
  question: 0,
  questions: 0,
  ticket: 0,
  invoice: 0,
  reschedule: 0,
  demo: 0,
  reminder: 0,
  no: 0,
  yes: 0,
  okay: 0,
  ok: 0,
  fine: 0.5,
  true: 0,
  like: 0.5,
  want: 0,
  pretty: 0,
  clear: 0.5,
  share: 0,
  support: 0,
  please_note: 0,
  free: 0,
  care: 0.5,
  matter: 0,
  sure: 0.3,
  agree: 0.5,
  agreed: 0.5,
  mean: 0,
  fair: 0.5,
  straight: 0,
  well: 0.5,
  alright: 0.3,
  // Praise in this trade.
  smooth: 2.5,
  smoothly: 2.5,
  seamless: 3,
  seamlessly: 3,
  intuitive: 2.5,
  responsive: 2,
  reliable: 2.5,
  helpful: 2.5,
  lifesaver: 3,
  'game-changer': 3,
  gamechanger: 3,
  impressed: 3,
  delighted: 3.5,
  thrilled: 3.5,
  love: 3,
  loving: 3,
  loved: 3,
  fantastic: 4,
  brilliant: 3.5,
  superb: 4,
  excellent: 3.5,
  stellar: 3.5,
  solid: 1.5,
  quick: 1,
  quickly: 1,
  fast: 1,
  faster: 1.5,
  saved: 2,
  saves: 2,
  saving: 1.5,
  recommend: 2.5,
  recommended: 2.5,
  renew: 1.5,
  renewed: 2,
  renewing: 1.5,
  expand: 1.5,
  expanding: 1.5,
  upgrade: 1.5,
  adoption: 1,
  adopted: 1.5,
  happy: 3,
  happier: 2.5,
  pleased: 3,
  kudos: 3,
  shoutout: 2,
  'shout-out': 2,
  resolved: 1.5,
  fixed: 1.5,
  improvement: 2,
  improved: 2,
  valuable: 2.5,
  value: 1,
  wins: 2,
  win: 2,
  success: 2,
  successful: 2.5,
  transformed: 2.5,
  praise: 2.5,
  praised: 2.5,
  raving: 3,
  rave: 3,
  champion: 1,
  hero: 2.5,
  heroes: 2.5,
  'above and beyond': 3,
  spot: 0,
  onboarding: 0,
  live: 0.5,
  easy: 2,
  easier: 2,
  painless: 2.5,
  responsive_team: 2,
  // Trouble in this trade.
  broken: -3,
  broke: -2.5,
  bug: -2,
  bugs: -2.5,
  buggy: -3,
  crash: -3,
  crashes: -3,
  crashed: -3,
  crashing: -3,
  outage: -3.5,
  outages: -3.5,
  downtime: -3,
  glitch: -2,
  glitches: -2.5,
  unusable: -4,
  slow: -2,
  slower: -2,
  sluggish: -2.5,
  laggy: -2.5,
  lag: -2,
  timeout: -2,
  timeouts: -2.5,
  error: -2,
  errors: -2.5,
  failing: -2.5,
  failed: -2,
  fails: -2.5,
  failure: -2.5,
  frustrated: -3,
  frustrating: -3,
  frustration: -3,
  annoyed: -2.5,
  annoying: -2.5,
  disappointed: -3,
  disappointing: -3,
  disappointment: -3,
  unacceptable: -4,
  unhappy: -3,
  concerned: -2,
  concern: -1.5,
  concerns: -2,
  worried: -2,
  worry: -1.5,
  escalate: -2.5,
  escalating: -2.5,
  escalation: -2.5,
  escalated: -2.5,
  churn: -3,
  terminate: -3,
  termination: -3,
  leaving: -1.5,
  lost: -2,
  losing: -2,
  missing: -1.5,
  confusing: -2,
  confused: -1.5,
  clunky: -2.5,
  waiting: -1,
  chasing: -2,
  ignored: -3,
  unanswered: -3,
  overpriced: -3,
  expensive: -2,
  pricey: -2,
  steep: -1.5,
  cut: -1,
  cuts: -1.5,
  freeze: -1.5,
  layoffs: -2.5,
  downsizing: -2.5,
  restructuring: -1.5,
  competitor: -1.5,
  competitors: -1.5,
  alternatives: -1.5,
  alternative: -1,
  underwhelming: -3,
  underwhelmed: -3,
  regret: -2.5,
  mess: -3,
  nightmare: -4,
  headache: -2.5,
  struggle: -2,
  struggling: -2.5,
  struggled: -2,
  painful: -3,
  pain: -2,
  blocker: -2.5,
  blocked: -2,
  stuck: -2,
  review: -0.5,
  unreliable: -3,
  unstable: -3,
  inaccurate: -2.5,
  wrong: -2,
  duplicate: -1,
  duplicates: -1.5,
  workaround: -1.5,
  hacky: -2,
  declined: -1.5,
  overdue: -1.5,
  'past due': -1.5,
  refund: -2,
  credit: 0,
  downgrade: -3,
  downgrading: -3,
  pause: -1.5,
  pausing: -2,
  shelve: -2,
  shelved: -2,
  disengaged: -3,
  unresponsive: -3,
  silence: -1.5,
  quiet: -0.5,
  sadly: -2,
  unfortunately: -2,
  afraid: -1.5,
  reluctantly: -2,
};

/** Phrases scored as a whole before their words are (longest first). */
const CS_PHRASES: Array<[string, number]> = [
  ['no complaints', 3],
  ['the best', 2.5],
  ["you're the best", 3],
  ['paid for itself', 3],
  ['paid for the license', 3],
  ['paid for the licence', 3],
  ['just works', 3],
  ['just working', 2.5],
  ['landed well', 2.5],
  ['landed really well', 3],
  ['asking for more', 2],
  ['made that possible', 2.5],
  ['nothing comes close', 3],
  ['signing the renewal', 3],
  ['sign the renewal', 2.5],
  ['verbal yes', 2.5],
  ['more hassle than', -3],
  ['over budget', -2.5],
  ['not move forward', -3],
  ['not going to move forward', -3],
  ['short with me', -2],
  ['broken out', 0],
  ['broken down', 0],
  ['effective immediately', 0],
  ['effective date', 0],
  ['that said', 0],
  ['even so', 0],
  ['game changer', 3],
  ['no brainer', 3],
  ['exactly what we needed', 3],
  ['exactly what we need', 3],
  ["couldn't imagine", 2.5],
  ['could not imagine', 2.5],
  ["can't imagine", 2],
  ['look elsewhere', -2.5],
  ['signed the renewal', 3],
  ['reduction in churn', 3],
  ['churn reduction', 3],
  ['reduced churn', 3],
  ['made up for', 2],
  ['good morning', 0],
  ['good afternoon', 0],
  ['by mistake', 0],
  ['fit for purpose', 2.5],
  ["can't use", -3],
  ['cannot use', -3],
  ['signed up for', 1.5],
  ['losing faith', -3.5],
  ['lost faith', -3.5],
  ['no longer', -1.5],
  ["doesn't make sense", -2.5],
  ['doesnt make sense', -2.5],
  ['does not make sense', -2.5],
  ['questioning the value', -3],
  ['hard to justify', -3],
  ['difficult to justify', -3],
  ['non-starter', -3.5],
  ['defeats the point', -3],
  ['defeats the purpose', -3],
  ['never received', -2.5],
  ['never recieved', -2.5],
  ['what exactly are we paying for', -3],
  ['what are we paying for', -3],
  ['usage has dropped', -2.5],
  ['a first', 1.5],
  ['no issues', 2.5],
  ['no problems', 2.5],
  ['not a problem', 0],
  ['no problem', 0],
  ['no worries', 0],
  ['not an issue', 0.5],
  ['works great', 3],
  ['working great', 3],
  ['works well', 2.5],
  ['working well', 2.5],
  ['works perfectly', 3.5],
  ['working perfectly', 3.5],
  ['went smoothly', 3],
  ['so far so good', 2],
  ['above and beyond', 3.5],
  ['great job', 3],
  ['great work', 3],
  ['well done', 3],
  ['keep it up', 2.5],
  ['big fan', 3],
  ["can't live without", 3],
  ["couldn't be happier", 4],
  ['could not be happier', 4],
  ['thank you for everything', 0],
  ['thanks for everything', 0],
  ['thanks for all', 0],
  ['thank you for all', 0],
  ['hope you are well', 0],
  ["hope you're well", 0],
  ['hope this finds you well', 0],
  ['look forward', 0.5],
  ['looking forward', 0.5],
  ['let me know', 0],
  ['feel free', 0],
  ['happy to', 0.3],
  ['glad to', 0.5],
  ['would love to', 0.5],
  ['best wishes', 0],
  ['all the best', 0],
  ['no rush', 0],
  ['sounds good', 0.5],
  ['works for me', 0.3],
  ['that works', 0.3],
  ['makes sense', 0.3],
  ['not working', -3],
  ["isn't working", -3],
  ['is not working', -3],
  ["doesn't work", -3],
  ['does not work', -3],
  ['stopped working', -3.5],
  ['still broken', -3.5],
  ['still waiting', -2.5],
  ['no response', -2.5],
  ['no reply', -2.5],
  ['lack of', -2],
  ['far too', -1.5],
  ['too expensive', -3],
  ['too slow', -3],
  ['too much', -1.5],
  ['waste of', -3],
  ['not worth', -3],
  ['fed up', -3.5],
  ['had enough', -3],
  ['let down', -3],
  ['falling behind', -2],
  ['losing confidence', -3.5],
  ['lost confidence', -3.5],
  ['lost trust', -3.5],
  ['losing trust', -3.5],
  ['not happy', -3],
  ['not satisfied', -3],
  ['not impressed', -3],
  ['not great', -2],
  ['not good', -2],
  ['not ideal', -2],
];

const NEGATORS = new Set([
  'not',
  'no',
  'never',
  'none',
  'nothing',
  'nobody',
  'neither',
  'nor',
  'without',
  'hardly',
  'barely',
  'cannot',
  "can't",
  'cant',
  "don't",
  'dont',
  "doesn't",
  'doesnt',
  "didn't",
  'didnt',
  "isn't",
  'isnt',
  "aren't",
  'arent',
  "wasn't",
  'wasnt',
  "weren't",
  'werent',
  "won't",
  'wont',
  "wouldn't",
  'wouldnt',
  "shouldn't",
  "couldn't",
  'couldnt',
  "haven't",
  'havent',
  "hasn't",
  'hasnt',
  "hadn't",
  'lack',
  'lacks',
  'lacking',
]);
const INTENSIFIERS: Record<string, number> = {
  very: 1.5,
  really: 1.4,
  extremely: 1.8,
  incredibly: 1.8,
  super: 1.5,
  so: 1.3,
  absolutely: 1.7,
  totally: 1.5,
  completely: 1.6,
  highly: 1.5,
  truly: 1.4,
  genuinely: 1.3,
  hugely: 1.7,
  seriously: 1.5,
  deeply: 1.6,
  utterly: 1.8,
  most: 1.3,
  too: 1.3,
  such: 1.3,
  massively: 1.7,
  still: 1.2,
};
const DIMINISHERS: Record<string, number> = {
  slightly: 0.6,
  somewhat: 0.6,
  bit: 0.6,
  little: 0.7,
  fairly: 0.8,
  rather: 0.8,
  kinda: 0.6,
  mildly: 0.5,
  marginally: 0.5,
};
const CONTRASTS = new Set([
  'but',
  'however',
  'although',
  'though',
  'yet',
  'unfortunately',
  'sadly',
  'except',
  'otherwise',
  'still',
  'nevertheless',
  'nonetheless',
  'overall',
]);
/** Words that turn the message when they open a sentence ("That said, …"). */
const SENTENCE_TURNS = /^(?:that said|even so|having said that|all that said)\b/;
/** Emoji carry sentiment in chat; the tokenizer reads them as words. */
const EMOJI: Array<[RegExp, string]> = [
  [/❤️|❤|😍|🥰/gu, ' emoji_love '],
  [/🔥/gu, ' emoji_fire '],
  [/🎉|🥳/gu, ' emoji_party '],
  [/👍/gu, ' emoji_thumbs_up '],
  [/👎/gu, ' emoji_thumbs_down '],
  [/🙌|👏/gu, ' emoji_clap '],
  [/🙂|😊|😀|😄/gu, ' emoji_smile '],
  [/😡|🤬|😤/gu, ' emoji_angry '],
  [/😞|😢|😩|😫/gu, ' emoji_sad '],
];
/**
 * The regex `before(?:a|b|…)after`, its alternatives given a few to a line (source fragments, usually String.raw) so that
 * long alternations stay readable; the result is the regex the one-line literal was (same `.source`, no flags).
 */
function anyOf(before: string, alternatives: string[], after = ''): RegExp {
  return new RegExp(`${before}(?:${alternatives.join('|')})${after}`);
}
/** Cues that praise is meant the other way round. */
const SARCASM = anyOf('', [
  String.raw`\boh (?:great|wonderful|fantastic|perfect|brilliant|good)\b|love that for us|\blove how\b|just what (?:we|i) needed`,
  String.raw`record[- ]breaking|\bafter (?:only|just) \d|\bonly took\b|took (?:\w+ ){0,3}only\b|sarcastic|🙃|🙄|\byeah right\b`,
  String.raw`as in it never|thanks for nothing|\bwow,|'(?:fixed|enhanced|improved|seamless|upgraded|smart|intuitive|streamlined)'`,
]);
/** "rated us 9/10", "5/5 on support": ratings say it plainly. */
const RATING = /\b(\d{1,2})\s?\/\s?(10|5)\b/g;
/** Greetings and sign-offs carry no sentiment ("Best, Ana", "Kind regards", "Dear Tom"). */
const SALUTATION = /^(?:(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))\b[^,.!?\n]{0,40}[,.!]?\s*)/;
const SIGN_OFF = new RegExp(
  String.raw`(?:[.!?]\s*|\n|^)` +
    String.raw`(?:(?:many |warm |kind |best |warmest )?(?:regards|wishes)|best|cheers|sincerely|all the best|talk soon|speak soon|ta)` +
    String.raw`\b[,.!]?(?:[\s,]+[a-z][\w.'-]*){0,5}[.!]?\s*$`,
);

const LEXICON = new Map<string, number>([...Object.entries(AFINN), ...Object.entries(CS_WORDS)]);

type SignalRule = { signal: ChurnSignal; pattern: RegExp; unless?: RegExp };

/** Churn and expansion signals, as rules over the lower-cased text. */
const SIGNAL_RULES: SignalRule[] = [
  {
    signal: 'cancellation_intent',
    pattern: new RegExp(
      [
        String.raw`(?:not|won't|will not|don't|do not|aren't|are not|wont) (?:be )?(?:plan(?:ning)? to )?(?:renew|extend|continu)\w*`,
        String.raw`decided (?:not to renew|to (?:cancel|end|terminate|leave|move on|switch|go with|discontinue|stay with))`,
        String.raw`(?:cancel|terminate|end|close)(?:l?ing|l?ed|s)? (?:our|the|my|this) ` +
          String.raw`(?:subscription|contract|account|agreement|plan|licen[cs]es|partnership|relationship|service)`,
        String.raw`(?:account|subscription|contract) (?:to be )?(?:closed|cancell?ed|terminated)`,
        String.raw`notice (?:of|to) (?:termination|cancel+ation|non-renewal)|non-renewal`,
        String.raw`(?:give|giving|serve|serving|hand in) (?:our |formal )?notice`,
        String.raw`(?:mov|migrat|switch|transition|consolidat|shift)\w* (?:\w+ ){0,4}(?:to|into|onto|over to) ` +
          String.raw`(?:an? |the )?` +
          String.raw`(?:in-house|in house|internal|another|different|other|new|competitor|gainsight|` +
          String.raw`churnzero|vitally|totango|planhat|hubspot|salesforce|catalyst|platform their|tool their)`,
        String.raw`(?:will be|are|we're|they're|we are|they are) migrating\b|migrating (?:away|off)`,
        String.raw`(?:mov|migrat|switch|transition)\w* (?:\w+ ){0,3}over to \w+`,
        String.raw`(?:moving|switching|migrating) to an? (?:[\w-]+ ){0,3}(?:platform|tool|solution|system|vendor|provider|suite)`,
        String.raw`standardi[sz]\w* on|proceed\w* with (?:a|another) (?:different |new )?(?:vendor|provider|solution|platform|tool)`,
        String.raw`offboarding (?:kickoff|call|plan|timeline)|hold(?:ing)? off on (?:the |our )?renewal|scal(?:e|ing) back (?:to|our)`,
        String.raw`sunset\w* (?:our|your|the) (?:platform|tool|product|contract)`,
        String.raw`signed (?:a contract |up )?with ` +
          String.raw`(?:another|a different|a competitor|gainsight|churnzero|vitally|totango|planhat|hubspot|salesforce|catalyst)`,
        String.raw`part(?:ing)? ways|(?:wind|winding) down (?:our|the) (?:use|account|contract)|going (?:in )?a different direction`,
        String.raw`go(?:ing)? with (?:another|a different|a competitor)`,
        String.raw`step(?:ping)? away from|walk(?:ing)? away from|rather than renew|not (?:to )?proceed(?:ing)? with (?:the |our )?renewal`,
        String.raw`not (?:going to|gonna) (?:renew|continue|extend)`,
        String.raw`won't be (?:renewing|continuing|extending)|final (?:invoice|renewal)`,
        String.raw`this (?:will be|is) our last (?:invoice|renewal|term)`,
        String.raw`(?:let|letting) ` +
          String.raw`(?:it|them|the contract|our contract|the subscription|our subscription|the licen[cs]es?|our licen[cs]es?) ` +
          String.raw`(?:lapse|expire|run out)`,
        String.raw`(?:consolidat\w+|reduc\w+) (?:our )?vendors?|under review`,
        String.raw`(?:reviewing|review of) (?:all|every) (?:tools|vendors|software|subscriptions)`,
        String.raw`(?:cancel|terminat)(?:l?ing|l?ed)? (?:at|when|before|after|once) (?:the )?\w+`,
        String.raw`(?:discontinu|terminat|sunset)\w* (?:our|the) (?:use|service|subscription|contract|account)`,
        String.raw`decision to (?:leave|move|switch|cancel|not renew)|exit(?:ing)? (?:the|our) (?:contract|agreement)`,
        String.raw`downgrad\w* to (?:the )?(?:free|basic|starter|lowest)`,
        String.raw`remov\w* (?:all |the remaining |our |the )(?:\d+ )?(?:paid )?(?:seats|licen[cs]es)`,
        String.raw`considering (?:switching|moving|leaving|cancel\w*|alternatives|other options)`,
      ].join('|'),
    ),
    unless: /\b(?:no (?:plans?|intention) (?:to|of)|not (?:planning|looking) to (?:cancel|leave|switch)|never (?:cancel|leave))/,
  },
  {
    signal: 'competitor_mentioned',
    pattern: anyOf(String.raw`\b`, [
      String.raw`competitors?`,
      String.raw`(?:another|other|different|alternative|cheaper|new) ` +
        String.raw`(?:vendors?|providers?|tools?|platforms?|solutions?|suppliers?|options?)`,
      String.raw`gainsight|churnzero|vitally|totango|planhat|catalyst|salesforce|hubspot|zendesk|freshdesk|intercom|zoho|pipedrive`,
      String.raw`(?:trial|trialling|trialing|piloting|evaluating|demo(?:ing|'d)?|looking at|comparing|quote from|offer from|` +
        String.raw`proposal from) (?:a |an |another |other |some )?(?:competitor|alternative|vendor|\w+(?:ly|io|hq|ify)\b)`,
      String.raw`rfp|tender|side-by-side|competitive (?:quote|bid|offer)`,
      String.raw`(?:piloting|trialling|trialing|evaluating|testing) ` +
        String.raw`(?:a couple of |a few |some |several )?other (?:options|tools|vendors|platforms)`,
      String.raw`other (?:regional |local )?vendors?|in-house (?:solution|tool|build)|build (?:our|their) own|lower quote|cheaper quote`,
      String.raw`quotes? from|went with (?:another|a different|gainsight|churnzero|vitally|totango|planhat|hubspot|salesforce)`,
      String.raw`shopping around|parent company uses`,
    ]),
  },
  {
    signal: 'pricing_complaint',
    pattern: anyOf(String.raw`\b`, [
      String.raw`too (?:expensive|pricey|costly|much)|overpriced|over-priced|price (?:increase|hike|rise|jump)`,
      String.raw`(?:increase|hike|rise|jump) in (?:the )?price`,
      String.raw`(?:can't|cannot|can not|hard to|struggle to|difficult to) justify (?:the )?(?:cost|spend|price|expense|renewal)`,
      String.raw`(?:cost|price|pricing|fees?|renewal (?:quote|price)) ` +
        String.raw`(?:is|are|has|have|went|seems?|feels?) (?:\w+ )?(?:too|high|steep|up|excessive|out of)`,
      String.raw`not worth (?:the )?(?:money|price|cost)|cheaper|expensive|pricey|paying (?:too much|more than)|half the price`,
      String.raw`(?:hard|difficult|tough) to justify|lower quote|new pricing (?:doesn't|doesnt|does not)`,
      String.raw`(?:questioning|question) (?:the|our) (?:whole |entire )?(?:value|investment|spend)|what (?:exactly )?are we paying for`,
      String.raw`(?:\d+|double|triple)\s?% (?:increase|more|higher)|roi (?:isn't|is not|just isn't)|value for money`,
    ]),
    unless: /\b(?:pricing (?:for|sheet|page)|price list|(?:fair|reasonable|competitive|great) (?:price|pricing))\b/,
  },
  {
    signal: 'product_problem',
    pattern: anyOf(String.raw`\b`, [
      String.raw`bugs?|buggy|broken|crash\w*|outages?|downtime|(?:is|was|went|been|goes|going|are) down\b(?! (?:to|by|from|\d))`,
      String.raw`not working|isn't working|doesn't work|does not work|stopped working|won't (?:load|sync|open|save|work)`,
      String.raw`(?:keeps?|kept) (?:failing|crashing|timing out|breaking)|errors?\b|fail(?:s|ed|ing|ure)\b|slow(?:ness)?|lag\w*|sluggish`,
      String.raw`timing out|time ?outs?|data (?:loss|missing|is missing)|missing data|sync(?:ing)? (?:issues?|problems?|fail\w*)|glitch\w*`,
      String.raw`unusable|unstable|inaccurate|wrong (?:numbers|data|figures)|500|502|503|404|regression|corrupt\w*`,
      String.raw`not (?:being )?(?:sent|syncing|loading|updating|showing|saving|firing)|show(?:s|ing)? as 0`,
      String.raw`(?:data|numbers|scores?) (?:is|are) wrong|p1|incidents?|not fit for purpose|unreliable`,
    ]),
    unless: anyOf(
      String.raw`\b`,
      [
        String.raw`(?:no|zero|without|never|hasn't been|haven't been|not) ` +
          String.raw`(?:\w+ ){0,3}(?:bugs?|errors?|issues?|outages?|downtime|incidents?)`,
        String.raw`(?:since|now) (?:fixed|resolved)|has been fixed|was fixed`,
      ],
      String.raw`\b`,
    ),
  },
  {
    signal: 'support_frustration',
    pattern: anyOf(String.raw`\b`, [
      String.raw`still waiting|still wait\w*|wait(?:ed|ing)? (?:\d+|two|three|four|five|several) (?:days|weeks) for`,
      String.raw`waiting (?:on|for) (?:a |an )?(?:answer|response|reply|fix|update|callback)`,
      String.raw`(?:waited|waiting) (?:for )?(?:\d+|two|three|four|five|several|many) (?:days|weeks)`,
      String.raw`no (?:one|body) (?:has )?(?:got(?:ten)? back|responded|replied|followed up)`,
      String.raw`nobody (?:got back|responded|replied|followed up)|(?:no|zero) (?:response|reply|answer|follow[- ]up)`,
      String.raw`(?:third|fourth|fifth|3rd|4th|5th|several|multiple) (?:time|ticket|email|request)s?|escalat\w+|unanswered|ignored|chasing`,
      String.raw`(?:support|your team|the team|help ?desk|response times?) (?:is|are|has been|have been|was|were) ` +
        String.raw`(?:\w+ )?(?:slow|useless|unhelpful|unresponsive|terrible|awful|poor|non-existent|nonexistent)`,
      String.raw`slow to respond|(?:poor|terrible|awful|bad|slow) (?:support|service|response)`,
      String.raw`keep(?:s)? (?:getting|being) (?:bounced|transferred|passed)|same (?:answer|canned|response)|canned (?:response|answer)s?`,
    ]),
  },
  {
    signal: 'champion_leaving',
    pattern: anyOf(String.raw`\b`, [
      String.raw`(?:is|am|are|will be|i'm|she's|he's|they're) (?:leaving|stepping down|moving on|departing)|(?:last|final) day`,
      String.raw`(?:has|have|had) (?:left|resigned|moved on|departed)|left the (?:company|business|team|organi[sz]ation)`,
      String.raw`no longer (?:with|at) (?:the company|us|\w+)|(?:new|another) (?:role|job|position) (?:at|elsewhere|outside)`,
      String.raw`handing (?:over|off)|(?:her|his|their|my) (?:replacement|successor)|resign\w*|stepping down`,
      String.raw`(?:left|quit) (?:last|this) (?:week|month)|accepted a (?:role|job|position|offer)`,
      String.raw`(?:sponsor|champion|advocate)\w* (?:is |has )?(?:gone|leaving|left)`,
    ]),
  },
  {
    signal: 'budget_cut',
    pattern: anyOf(String.raw`\b`, [
      String.raw`budgets? (?:\w+ ){0,4}(?:has been|have been|was|were|is being|got) ` +
        String.raw`(?:\w+ )?(?:cut|slashed|reduced|frozen|halved|squeezed)`,
      String.raw`budgets? ` +
        String.raw`(?:cuts?|reductions?|freeze|pressures?|constraints?|(?:is|are|has been|have been|was|were|` +
        String.raw`got|being) (?:\w+ )?(?:cut|slashed|reduced|frozen|tight|tighter|halved|squeezed|under review))`,
      String.raw`(?:cut|cutting|slash\w*|reduc\w*|trim\w*|halv\w*) (?:our |the |all |back on )?` +
        String.raw`(?:budgets?|costs|spend\w*|tools|software|saas|licen[cs]es|seats)`,
      String.raw`cost[- ]cutting|(?:spending|hiring|budget) freeze|layoffs?|laid off|downsiz\w*|restructur\w*`,
      String.raw`headcount (?:reduction|cuts?)|tighten\w* (?:the |our )?belts?`,
      String.raw`(?:contracts?|spend|purchases?) (?:\w+ ){0,4}(?:frozen|on hold)|cost review|budget situation`,
      String.raw`(?:every|each) (?:line item|tool|subscription|vendor) (?:is )?(?:being )?(?:reviewed|under review|scrutini[sz]ed)`,
      String.raw`cfo (?:wants|asked|is asking) (?:us )?to (?:cut|reduce|trim)`,
    ]),
  },
  {
    signal: 'expansion_interest',
    pattern: anyOf(String.raw`\b`, [
      String.raw`add(?:ing)? (?:\d+|another|more|a few|some|\w+ more) (?:more )?(?:seats|licen[cs]es|users|teams?|regions?|workspaces?)`,
      String.raw`(?:more|additional|extra) (?:seats|licen[cs]es|users|modules?)`,
      String.raw`(?:roll|rolling|expand|expanding|extend|extending)(?: it| this| the \w+)? (?:out )?(?:to|across|into) ` +
        String.raw`(?:the |our |other |another |more |\w+ )?` +
        String.raw`(?:teams?|departments?|offices?|regions?|business|company|org\w*|sites?|division)`,
      String.raw`upgrad\w+ (?:to|our)|(?:enterprise|premium|higher) (?:plan|tier|package|edition)`,
      String.raw`(?:quote|pricing|proposal) for (?:\d+|more|additional|extra|another)|expansion`,
      String.raw`(?:scope|plan|discuss|start)\w* (?:a |the )?(?:[\w-]+ )?roll-?out|roll-?out (?:to|across)|add-?ons?\b|beta programme`,
      String.raw`beta program|three-year|multi-year|bundle`,
      String.raw`(?:want|would like|'d like|keen|looking|plan(?:ning)?)\w* to (?:add|buy|purchase|expand|extend|upgrade|roll)`,
      String.raw`on the platform too`,
      String.raw`(?:interested in|want(?:s)? to (?:try|add|buy|trial)|keen (?:to|on)) ` +
        String.raw`(?:the |your |adding )?(?:\w+ )?(?:module|add-?on|feature set|product|seats)`,
      String.raw`(?:another|second|new) (?:team|department|business unit|region) (?:wants|would like|is keen)`,
    ]),
    unless: /\b(?:not (?:interested|looking) (?:in|to) (?:expand|add|upgrad)|(?:reduce|reducing|cut|cutting|fewer) (?:seats|licen[cs]es))/,
  },
];

/** How strongly each signal pulls the score (in lexicon units). */
const SIGNAL_WEIGHT: Record<ChurnSignal, number> = {
  cancellation_intent: -5,
  competitor_mentioned: -2.5,
  pricing_complaint: -2,
  product_problem: -1.5,
  support_frustration: -2.5,
  champion_leaving: -2,
  budget_cut: -2.5,
  expansion_interest: 3,
};

const PHRASES = [...CS_PHRASES].sort((a, b) => b[0].length - a[0].length);
const PHRASE_TOKENS = PHRASES.map(([phrase, value]) => ({ words: phrase.split(' '), value }));

function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s+/g, ' ');
}

function tokenize(clause: string): string[] {
  return clause.match(/[a-z0-9]+(?:['-][a-z0-9]+)*/g) ?? [];
}

/** Lexicon score of one clause: phrases first, then words, with negation and intensity. */
function scoreClause(tokens: string[]): { score: number; hits: number } {
  let score = 0;
  let hits = 0;
  for (let index = 0; index < tokens.length;) {
    const phrase = PHRASE_TOKENS.find(({ words }) => words.every((word, offset) => tokens[index + offset] === word));
    const length = phrase ? phrase.words.length : 1;
    const value = phrase ? phrase.value : (LEXICON.get(tokens[index]!) ?? 0);
    if (value !== 0) {
      let weighted = value;
      // Modifiers in the three words before (stopping at another sentiment word).
      const selfNegated = phrase !== undefined && NEGATORS.has(phrase.words[0]!);
      for (let back = 1; back <= 4 && index - back >= 0; back += 1) {
        const before = tokens[index - back]!;
        if (!selfNegated && NEGATORS.has(before)) {
          weighted = -weighted * 0.75;
          break;
        }
        if (back === 1 && INTENSIFIERS[before]) weighted *= INTENSIFIERS[before];
        if (back <= 2 && DIMINISHERS[before]) weighted *= DIMINISHERS[before];
        if ((LEXICON.get(before) ?? 0) !== 0) break;
      }
      score += weighted;
      hits += 1;
    }
    index += length;
  }
  return { score, hits };
}

/** Clauses split at sentence ends and at contrasts; what follows "but" weighs more than what precedes it. */
function scoreText(text: string): { score: number; hits: number; words: number } {
  let total = 0;
  let hits = 0;
  let words = 0;
  let previous = 0;
  for (const sentence of text.split(/(?<=[.!?;\n])\s+|\s+-\s+|\s+—\s+/)) {
    const tokens = tokenize(sentence);
    words += tokens.length;
    const sentenceStart = total;
    if (tokens.length && (CONTRASTS.has(tokens[0]!) || SENTENCE_TURNS.test(sentence.trim()))) {
      // "…excellent. Unfortunately, our sponsor is leaving": the turn outweighs what came before.
      total -= previous * 0.5;
      tokens.shift();
    }
    const contrastAt = tokens.findIndex((token, index) => index > 0 && CONTRASTS.has(token));
    if (contrastAt > 0) {
      const before = scoreClause(tokens.slice(0, contrastAt));
      const after = scoreClause(tokens.slice(contrastAt + 1));
      total += before.score * 0.5 + after.score * 1.5;
      hits += before.hits + after.hits;
    } else {
      const clause = scoreClause(tokens);
      total += clause.score;
      hits += clause.hits;
    }
    // A question mostly asks; its words say less about how the client feels.
    if (sentence.trimEnd().endsWith('?')) total = sentenceStart + (total - sentenceStart) * 0.3;
    const exclamations = (sentence.match(/!/g) ?? []).length;
    if (exclamations && total !== 0) total += Math.sign(total) * Math.min(exclamations, 3) * 0.3;
    previous = total - sentenceStart;
  }
  return { score: total, hits, words };
}

export function detectSignals(text: string): ChurnSignal[] {
  const lower = normalise(text);
  return SIGNAL_RULES.filter((rule) => rule.pattern.test(lower) && !rule.unless?.test(lower)).map((rule) => rule.signal);
}

function firstSentence(text: string): string {
  const sentence = text.trim().split(/(?<=[.!?])\s+|\n/)[0] ?? '';
  return sentence.length > 120 ? `${sentence.slice(0, 117).trimEnd()}…` : sentence;
}

/** Below this absolute score a message reads as neutral. */
export const NEUTRAL_BAND = 0.2;

export function analyseLocally(input: SentimentInput): SentimentResult {
  const text = [input.subject, input.body].filter(Boolean).join('. ');
  const lower = EMOJI.reduce((value, [pattern, word]) => value.replace(pattern, word), normalise(text))
    .trim()
    .replace(SALUTATION, '')
    .replace(SIGN_OFF, '.');
  const signals = detectSignals(text);
  const lexical = scoreText(lower);
  for (const [, value, scale] of lower.matchAll(RATING)) {
    const ratio = Number(value) / Number(scale);
    if (ratio <= 1) lexical.score += ratio >= 0.8 ? 3 : ratio <= 0.5 ? -3 : 0;
  }
  // Sarcasm: the praise counts against.
  if (SARCASM.test(lower) && lexical.score > -1) lexical.score = -Math.abs(lexical.score) - 2;
  const signalPull = signals.reduce((sum, signal) => sum + SIGNAL_WEIGHT[signal], 0);
  // Long messages repeat themselves: scale by the square root of their length.
  const raw = (lexical.score + signalPull) / Math.max(1, Math.sqrt(lexical.words / 12));
  let score = Math.tanh(raw / 4);
  // Polite churn: however warm the wording, a client leaving is negative.
  if (signals.includes('cancellation_intent')) score = Math.min(score, -0.6);
  score = Math.round(score * 1000) / 1000;
  const label: SentimentLabel = score >= NEUTRAL_BAND ? 'positive' : score <= -NEUTRAL_BAND ? 'negative' : 'neutral';
  const evidence = lexical.hits + signals.length * 2;
  const confidence = Math.round(Math.min(0.95, 0.35 + Math.abs(score) * 0.4 + Math.min(evidence, 6) * 0.04) * 100) / 100;
  const named = signals.map((signal) => SIGNAL_NAMES[signal].toLowerCase());
  const headline = firstSentence(input.body || input.subject || '') || 'No text';
  const summary = `${label[0]!.toUpperCase()}${label.slice(1)}${named.length ? ` (${named.join(', ')})` : ''}: “${headline}”`;
  return { label, score, confidence, signals, summary: summary.length > 300 ? `${summary.slice(0, 299)}…` : summary };
}

export function createLocalProvider(): SentimentProvider {
  return {
    name: 'local',
    analyse: async (input) => analyseLocally(input),
  };
}
