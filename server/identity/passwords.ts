import { availableParallelism } from 'node:os';
import argon2 from 'argon2';
import { z } from 'zod';

// The most common passwords of public breach corpora that pass the length rule; a full list would be
// better served by a k-anonymity breach check, which needs a network this product may not have.
const COMMON_PASSWORDS = new Set([
  '1234567890',
  '12345678910',
  '0123456789',
  '1111111111',
  '0000000000',
  '1234512345',
  '9876543210',
  'qwertyuiop',
  'password12',
  'password123',
  'password1234',
  'passw0rd123',
  'iloveyou12',
  'qwerty1234',
  'qwerty12345',
  'asdfghjkl1',
  '1q2w3e4r5t',
  '1qaz2wsx3edc',
  'zaq12wsxcde',
  'abcdefghij',
  'abcd123456',
  'letmein123',
  'welcome123',
  'admin12345',
  'football12',
  'baseball12',
  'sunshine12',
  'princess12',
  'dragon1234',
  'monkey1234',
  'changeme12',
  'trustno1234',
  'superman12',
  'starwars12',
  'whatever12',
  'clientpulse',
  'clientpulse1',
  'clientpulse123',
]);

const PASSWORD_MIN_LENGTH = 10;

/**
 * NIST 800-63B style: length over composition rules. At least 10 characters, not a well-known
 * password, not the person's own email or name, not one character repeated.
 */
export function passwordSchema(context: { email?: string; name?: string } = {}) {
  return z
    .string({ error: 'Enter a password' })
    .min(PASSWORD_MIN_LENGTH, { error: `Use at least ${PASSWORD_MIN_LENGTH} characters` })
    .max(128, { error: 'Use at most 128 characters' })
    .refine((value) => !COMMON_PASSWORDS.has(value.toLowerCase()), { error: 'This password is too common; choose another' })
    .refine((value) => new Set(value).size >= 4, { error: 'Use more varied characters' })
    .refine(
      (value) => {
        const lower = value.toLowerCase();
        const localPart = context.email?.split('@')[0]?.toLowerCase();
        const name = context.name?.trim().toLowerCase();
        return !(localPart && localPart.length >= 4 && lower.includes(localPart)) && !(name && name.length >= 4 && lower.includes(name));
      },
      { error: 'Do not use your name or email in the password' },
    );
}

/** Who is waiting for argon2: a login is served before everything else (sign-up, password changes). */
export type PasswordWorkPriority = 'login' | 'other';

/**
 * Runs at most `concurrency` tasks at a time; a freed slot goes to the oldest waiting `login` task,
 * then to the oldest other one. Nothing is refused: the rate limits bound how much arrives.
 */
export function createPriorityGate(concurrency: number) {
  let running = 0;
  const waiting: Record<PasswordWorkPriority, Array<() => void>> = { login: [], other: [] };
  const release = () => {
    const next = waiting.login.shift() ?? waiting.other.shift();
    if (next) next();
    else running -= 1;
  };
  return {
    async run<T>(priority: PasswordWorkPriority, task: () => Promise<T>): Promise<T> {
      if (running < concurrency) running += 1;
      // The slot is handed over by `release`, so `running` already counts this task.
      else await new Promise<void>((resolve) => waiting[priority].push(resolve));
      try {
        return await task();
      } finally {
        release();
      }
    },
    get waiting() {
      return waiting.login.length + waiting.other.length;
    },
  };
}

/**
 * One argon2 operation with the defaults below uses about four cores and 64 MiB, and two at once on
 * two cores take three times as long as one: so one at a time per four cores, and a burst of wrong
 * passwords queues here instead of slowing every login in the process down (decision 021).
 */
const argon2Gate = createPriorityGate(Math.max(1, Math.floor(availableParallelism() / 4)));

/** argon2id with the library's defaults (64 MiB, 3 passes, parallelism 4). */
export function hashPassword(password: string, priority: PasswordWorkPriority = 'other'): Promise<string> {
  return argon2Gate.run(priority, () => argon2.hash(password, { type: argon2.argon2id }));
}

export async function verifyPassword(hash: string, password: string, priority: PasswordWorkPriority = 'other'): Promise<boolean> {
  try {
    return await argon2Gate.run(priority, () => argon2.verify(hash, password));
  } catch {
    return false;
  }
}

/** A hash to verify against when the email is unknown, so both cases take the same time. */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword('decoy password that matches nothing', 'login');
  return decoyHash;
}
