import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { signUp } from '../identity/accounts';
import { createInvitation } from '../identity/invitations';
import type { Role } from '../identity/schemas';
import { findSession } from '../identity/sessions';
import { createCaller } from '../root';
import type { AppServices } from '../services';
import { createContextInner } from '../trpc';

/** Tests and benchmarks log nothing; kept free of vitest so benchmarks can use these factories. */
export const testLog = pino({ level: 'silent' });

export const TEST_PASSWORD = 'correct horse battery staple';
export const testMeta = { ip: '127.0.0.1', userAgent: 'vitest' };

/** A unique, valid email for one test. */
export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomUUID().slice(0, 12)}@example.test`;
}

/** A tRPC caller as a signed-out visitor, from `ip`. */
export function anonymousCaller(services: AppServices, ip = '127.0.0.1') {
  return createCaller(
    createContextInner({ services, log: testLog, requestId: randomUUID(), meta: { ip, userAgent: 'vitest' }, session: null }),
  );
}

/** A tRPC caller as the holder of a session token (whatever the session's state now is). */
export async function callerForToken(services: AppServices, token: string) {
  const session = await findSession(services.db, token);
  return createCaller(createContextInner({ services, log: testLog, requestId: randomUUID(), meta: testMeta, session }));
}

export type TestAccount = { userId: string; email: string; name: string; token: string; slug: string };

/** Signs up a person who owns a fresh workspace, through the real sign-up path. */
export async function createOwner(services: AppServices, label = 'owner'): Promise<TestAccount> {
  const email = uniqueEmail(label);
  const name = `Test ${label}`;
  const signedIn = await signUp(
    { db: services.db, mailer: services.mailer, appUrl: services.env.APP_URL },
    { email, name, password: TEST_PASSWORD, workspaceName: `Workspace ${label} ${randomUUID().slice(0, 6)}`, meta: testMeta },
  );
  return { userId: signedIn.userId, email, name, token: signedIn.token, slug: signedIn.workspaceSlug! };
}

/** Adds a new person to `owner`'s workspace with `role`, through an invitation they accept at sign-up. */
export async function addMember(services: AppServices, owner: TestAccount, role: Role, label: string = role): Promise<TestAccount> {
  const email = uniqueEmail(label);
  const { token: invitationToken } = await services.db.withUser({ sub: owner.userId }, async (tx) => {
    const workspace = await tx
      .selectFrom('workspaces')
      .select(['id', 'name', 'slug'])
      .where('slug', '=', owner.slug)
      .executeTakeFirstOrThrow();
    return createInvitation(tx, { workspace: { ...workspace, role: 'owner' }, actorId: owner.userId, email, role, meta: testMeta });
  });
  const name = `Test ${label}`;
  const signedIn = await signUp(
    { db: services.db, mailer: services.mailer, appUrl: services.env.APP_URL },
    { email, name, password: TEST_PASSWORD, invitationToken, meta: testMeta },
  );
  return { userId: signedIn.userId, email, name, token: signedIn.token, slug: owner.slug };
}
