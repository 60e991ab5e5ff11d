/**
 * The demo seed run by `npm start`: a demo owner in a demo workspace. Idempotent: an existing demo
 * account is left as it is (including a password its user changed).
 */
import { createDatabase } from '../db';
import { createMailer } from '../email';
import { signUp } from '../identity/accounts';
import type { Logger } from '../log';

export const DEMO_LOGIN = { email: 'demo@clientpulse.local', password: 'pulse-demo-2026', name: 'Dana Demo', workspaceName: 'Demo Workspace' };

export async function seedDemo(options: { databaseUrl: string; smtpUrl: string; appUrl: string; log: Logger }): Promise<{ created: boolean }> {
  const db = createDatabase({ url: options.databaseUrl, poolMax: 2, log: options.log, applicationName: 'clientpulse-seed' });
  const mailer = createMailer({ smtpUrl: options.smtpUrl, from: 'ClientPulse <no-reply@clientpulse.local>', log: options.log });
  try {
    const existing = await db.asService((tx) => tx.selectFrom('users').select('id').where('email', '=', DEMO_LOGIN.email).executeTakeFirst());
    if (existing) return { created: false };
    await signUp(
      { db, mailer, appUrl: options.appUrl },
      { ...DEMO_LOGIN, meta: { ip: null, userAgent: 'clientpulse-seed' } },
    );
    return { created: true };
  } finally {
    mailer.close();
    await db.close();
  }
}
