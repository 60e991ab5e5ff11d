import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebApp, TRPC_MAX_BATCH_SIZE } from '../http/app';
import { appRouter } from '../root';
import { createRateLimits } from '../security/rate-limit';
import { closeAppServices, type AppServices } from '../services';
import {
  addMember,
  anonymousCaller,
  callerForToken,
  createOwner,
  TEST_PASSWORD,
  uniqueEmail,
  type TestAccount,
} from '../testing/factories';
import { extractLink, waitForEmail } from '../testing/mail';
import { createTestServices, testLog } from '../testing/services';
import { createContext } from '../trpc';
import { createPriorityGate } from './passwords';
import { ROLES, roleAtLeast, type Role } from './schemas';

let services: AppServices;
/** The waits the login slowdown asked for; recorded instead of slept, so the tests stay fast. */
const slowdowns: number[] = [];
beforeAll(() => {
  services = createTestServices();
  // Rate limits of this run's own (no counters from earlier runs), with the slowdown recorded.
  const keyPrefix = `rl-identity-${randomUUID().slice(0, 8)}`;
  const sleep = (ms: number) => (slowdowns.push(ms), Promise.resolve());
  services.rateLimits = createRateLimits(services.redis, { log: testLog, keyPrefix, sleep });
});
afterAll(async () => {
  await closeAppServices(services);
});

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'OK',
    (error: { code?: string }) => error.code ?? String(error),
  );
const uniqueIp = () => `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

describe('roles', () => {
  let owner: TestAccount;
  const byRole = {} as Record<Exclude<Role, 'owner'>, TestAccount>;

  beforeAll(async () => {
    owner = await createOwner(services, 'roles-owner');
    for (const role of ['viewer', 'manager', 'admin'] as const) byRole[role] = await addMember(services, owner, role);
  });

  it('refuses every workspace procedure above the caller’s role, with a message naming both roles', async () => {
    const procedures = Object.entries(
      appRouter._def.procedures as unknown as Record<string, { _def: { meta?: { workspaceScoped?: boolean; minRole?: Role } } }>,
    )
      .filter(([, procedure]) => procedure._def.meta?.workspaceScoped)
      .map(([path, procedure]) => ({ path, minRole: procedure._def.meta!.minRole! }));
    const refusals: string[] = [];
    for (const role of ['viewer', 'manager', 'admin'] as const) {
      const caller = await callerForToken(services, byRole[role].token);
      for (const { path, minRole } of procedures.filter((procedure) => !roleAtLeast(role, procedure.minRole))) {
        const call = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (
          input: unknown,
        ) => Promise<unknown>;
        const error = await call({ workspaceSlug: owner.slug }).then(
          () => null,
          (failure: { code: string; message: string }) => failure,
        );
        if (error?.code !== 'FORBIDDEN' || !error.message.includes(`needs the ${minRole} role`))
          refusals.push(`${role} → ${path}: ${error?.code ?? 'allowed'}`);
      }
    }
    expect(refusals).toEqual([]);
  });

  it('a viewer cannot change anything; a manager cannot manage members; an admin cannot delete the workspace', async () => {
    const viewer = await callerForToken(services, byRole.viewer.token);
    expect(await codeOf(viewer.workspaces.rename({ workspaceSlug: owner.slug, name: 'Hijacked' }))).toBe('FORBIDDEN');
    expect(await codeOf(viewer.invitations.create({ workspaceSlug: owner.slug, email: uniqueEmail(), role: 'viewer' }))).toBe('FORBIDDEN');
    const manager = await callerForToken(services, byRole.manager.token);
    expect(await codeOf(manager.members.changeRole({ workspaceSlug: owner.slug, userId: byRole.viewer.userId, role: 'admin' }))).toBe(
      'FORBIDDEN',
    );
    expect(await codeOf(manager.members.remove({ workspaceSlug: owner.slug, userId: byRole.viewer.userId }))).toBe('FORBIDDEN');
    const admin = await callerForToken(services, byRole.admin.token);
    expect(await codeOf(admin.workspaces.delete({ workspaceSlug: owner.slug, confirmation: 'anything' }))).toBe('FORBIDDEN');
    expect(await codeOf(admin.members.changeRole({ workspaceSlug: owner.slug, userId: byRole.viewer.userId, role: 'owner' }))).toBe(
      'FORBIDDEN',
    );
    // Nothing changed.
    const members = await (await callerForToken(services, owner.token)).members.list({ workspaceSlug: owner.slug });
    expect(Object.fromEntries(members.map((member) => [member.email, member.role]))).toMatchObject({
      [byRole.viewer.email]: 'viewer',
      [byRole.manager.email]: 'manager',
    });
  });

  it('a removed member loses access on their very next request', async () => {
    const doomed = await addMember(services, owner, 'manager', 'doomed');
    const doomedCaller = await callerForToken(services, doomed.token);
    await expect(doomedCaller.members.list({ workspaceSlug: owner.slug })).resolves.toBeTruthy();
    await (await callerForToken(services, byRole.admin.token)).members.remove({ workspaceSlug: owner.slug, userId: doomed.userId });
    expect(await codeOf(doomedCaller.members.list({ workspaceSlug: owner.slug }))).toBe('FORBIDDEN');
  });

  it('the last owner can neither leave nor be demoted; with a second owner they can', async () => {
    const team = await createOwner(services, 'last-owner');
    const caller = await callerForToken(services, team.token);
    const leave = await caller.members.leave({ workspaceSlug: team.slug }).catch((error: Error & { code: string }) => error);
    expect(leave).toMatchObject({ code: 'CONFLICT', message: 'A workspace needs at least one owner. Make someone else an owner first.' });
    expect(await codeOf(caller.members.changeRole({ workspaceSlug: team.slug, userId: team.userId, role: 'admin' }))).toBe('CONFLICT');
    const partner = await addMember(services, team, 'admin', 'partner');
    await caller.members.changeRole({ workspaceSlug: team.slug, userId: partner.userId, role: 'owner' });
    await expect(caller.members.changeRole({ workspaceSlug: team.slug, userId: team.userId, role: 'admin' })).resolves.toBeUndefined();
  });

  it('records role changes and removals in the audit log that admins can filter', async () => {
    const admin = await callerForToken(services, byRole.admin.token);
    await admin.members.changeRole({ workspaceSlug: owner.slug, userId: byRole.viewer.userId, role: 'manager' });
    await admin.members.changeRole({ workspaceSlug: owner.slug, userId: byRole.viewer.userId, role: 'viewer' });
    const page = await admin.audit.list({ workspaceSlug: owner.slug, action: 'member.role_changed' });
    expect(page.entries[0]).toMatchObject({
      action: 'member.role_changed',
      actorId: byRole.admin.userId,
      before: { role: 'manager', email: byRole.viewer.email },
      after: { role: 'viewer', email: byRole.viewer.email },
      ip: '127.0.0.1',
      userAgent: 'vitest',
    });
    const byActor = await admin.audit.list({ workspaceSlug: owner.slug, actorId: owner.userId });
    expect(byActor.entries.every((entry) => entry.actorId === owner.userId)).toBe(true);
    expect(byActor.entries.map((entry) => entry.action)).toContain('invitation.sent');
    expect(await codeOf(admin.audit.list({ workspaceSlug: owner.slug, cursor: 'forged' }))).toBe('BAD_REQUEST');
  });
});

describe('accounts and bad input', () => {
  it('lets a signed-in person create more workspaces, a taken name getting an address of its own', async () => {
    const person = await createOwner(services, 'second-workspace');
    const caller = await callerForToken(services, person.token);
    const first = await caller.workspaces.create({ name: 'Second shop' });
    const again = await caller.workspaces.create({ name: 'Second shop' });
    expect(first).toMatchObject({ name: 'Second shop', role: 'owner' });
    expect(again.slug).not.toBe(first.slug);
    expect((await caller.workspaces.mine()).map((workspace) => workspace.slug)).toEqual(expect.arrayContaining([first.slug, again.slug]));
  });

  it('refuses a duplicate email and a weak password with field messages', async () => {
    const visitor = anonymousCaller(services, uniqueIp());
    const taken = await createOwner(services, 'taken');
    const duplicate = await visitor.auth
      .signUp({ email: taken.email.toUpperCase(), name: 'Someone', password: TEST_PASSWORD })
      .catch((error: unknown) => error);
    expect(duplicate).toMatchObject({ code: 'CONFLICT' });
    expect((duplicate as { cause: { fieldErrors: unknown } }).cause.fieldErrors).toEqual({
      email: ['An account with this email already exists. Log in instead, or reset your password.'],
    });
    for (const [password, message] of [
      ['short', 'Use at least 10 characters'],
      ['password123', 'This password is too common; choose another'],
      ['aaaaaaaaaaaa', 'Use more varied characters'],
    ] as const) {
      const weak = await visitor.auth
        .signUp({ email: uniqueEmail('weak'), name: 'Weak Password', password })
        .catch((error: { code: string; message: string }) => error);
      expect(weak).toMatchObject({ code: 'BAD_REQUEST' });
      expect((weak as { message: string }).message).toContain(message);
    }
  });

  it('gives one generic message for a wrong password and an unknown email, and audits both', async () => {
    const account = await createOwner(services, 'login');
    const visitor = anonymousCaller(services, uniqueIp());
    const wrong = await visitor.auth
      .logIn({ email: account.email, password: 'not the password' })
      .catch((error: { code: string; message: string }) => error);
    const unknown = await visitor.auth
      .logIn({ email: uniqueEmail('nobody'), password: 'not the password' })
      .catch((error: { code: string; message: string }) => error);
    expect(wrong).toMatchObject({ code: 'UNAUTHORIZED', message: 'Email or password is incorrect.' });
    expect(unknown).toMatchObject({ code: 'UNAUTHORIZED', message: 'Email or password is incorrect.' });
    const signedIn = await visitor.auth.logIn({ email: account.email, password: TEST_PASSWORD });
    expect(signedIn.workspaceSlug).toBe(account.slug);
    const actions = await services.db.asService((tx) =>
      tx
        .selectFrom('audit_log')
        .select('action')
        .where('actor_id', '=', account.userId)
        .where('action', 'like', 'auth.%')
        .orderBy('id')
        .execute(),
    );
    expect(actions.map((row) => row.action)).toEqual(['auth.sign_up', 'auth.sign_in_failed', 'auth.sign_in']);
  });

  it('refuses the 11th login from the client that failed ten times, but lets the owner in from elsewhere', async () => {
    const account = await createOwner(services, 'brute');
    const attacker = anonymousCaller(services, uniqueIp());
    const before = slowdowns.length;
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      expect(await codeOf(attacker.auth.logIn({ email: account.email, password: `guess number ${attempt}` }))).toBe('UNAUTHORIZED');
    }
    const blocked = await attacker.auth
      .logIn({ email: account.email, password: TEST_PASSWORD })
      .catch((error: { code: string; message: string }) => error);
    expect(blocked).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect((blocked as { message: string }).message).toMatch(/^Too many attempts\. Try again in \d+ minutes?\.$/);
    // The owner, from another ip, is slowed down (the account was attacked) but let in.
    const owner = anonymousCaller(services, uniqueIp());
    await expect(owner.auth.logIn({ email: account.email, password: TEST_PASSWORD })).resolves.toMatchObject({ userId: account.userId });
    expect(slowdowns.slice(before)).toEqual([500, 1_000, 2_000, 4_000, 4_000, 4_000]);
    // A right password gives its attempt back: the owner's next login is not slowed further.
    await owner.auth.logIn({ email: account.email, password: TEST_PASSWORD });
    expect(slowdowns.slice(before).at(-1)).toBe(4_000);
  });

  it('answers 429 after five wrong current passwords, across change password and change email', async () => {
    const account = await createOwner(services, 'reauth');
    const caller = await callerForToken(services, account.token);
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const wrong = { currentPassword: `wrong guess ${attempt}`, newPassword: 'a fresh passphrase here' };
      expect(await codeOf(caller.account.changePassword(wrong))).toBe('BAD_REQUEST');
    }
    // A right one in between does not count.
    await caller.account.changeEmail({ currentPassword: TEST_PASSWORD, newEmail: uniqueEmail('reauth-moved') });
    for (let attempt = 4; attempt <= 5; attempt += 1) {
      expect(await codeOf(caller.account.changeEmail({ currentPassword: `wrong guess ${attempt}`, newEmail: uniqueEmail() }))).toBe(
        'BAD_REQUEST',
      );
    }
    const refused = await caller.account
      .changePassword({ currentPassword: TEST_PASSWORD, newPassword: 'a fresh passphrase here' })
      .catch((error: { code: string; message: string }) => error);
    expect(refused).toMatchObject({ code: 'TOO_MANY_REQUESTS', message: expect.stringMatching(/^Too many attempts/) });
    expect(await codeOf(caller.account.changeEmail({ currentPassword: TEST_PASSWORD, newEmail: uniqueEmail() }))).toBe('TOO_MANY_REQUESTS');
  });

  it('serves a waiting login before other password work', async () => {
    const gate = createPriorityGate(1);
    const order: string[] = [];
    let releaseFirst = () => {};
    const first = gate.run('other', () => new Promise<void>((resolve) => (releaseFirst = resolve)).then(() => order.push('other 1')));
    const others = [2, 3].map((n) => gate.run('other', async () => order.push(`other ${n}`)));
    const login = gate.run('login', async () => order.push('login'));
    expect(gate.waiting).toBe(3);
    releaseFirst();
    await Promise.all([first, ...others, login]);
    expect(order).toEqual(['other 1', 'login', 'other 2', 'other 3']);
    expect(gate.waiting).toBe(0);
  });

  it('resets a password by an emailed, single-use link and signs out every session', async () => {
    const account = await createOwner(services, 'reset');
    const visitor = anonymousCaller(services, uniqueIp());
    await visitor.auth.requestPasswordReset({ email: account.email });
    await visitor.auth.requestPasswordReset({ email: uniqueEmail('no-account') }); // same answer, no mail
    const mail = await waitForEmail(account.email, { subject: /password/i });
    const token = new URL(extractLink(mail, '/reset-password/')).pathname.split('/').pop()!;
    expect(await codeOf(visitor.auth.resetPassword({ token, password: 'short' }))).toBe('BAD_REQUEST');
    await visitor.auth.resetPassword({ token, password: 'a brand new passphrase' });
    expect(await codeOf((await callerForToken(services, account.token)).account.me())).toBe('UNAUTHORIZED');
    const reused = await visitor.auth
      .resetPassword({ token, password: 'another new passphrase' })
      .catch((error: { code: string; message: string }) => error);
    expect(reused).toMatchObject({ code: 'BAD_REQUEST' });
    expect((reused as { message: string }).message).toContain('not valid any more');
    await expect(visitor.auth.logIn({ email: account.email, password: 'a brand new passphrase' })).resolves.toMatchObject({
      userId: account.userId,
    });
  });

  it('keeps only the newest reset link working', async () => {
    const account = await createOwner(services, 'two-resets');
    const visitor = anonymousCaller(services, uniqueIp());
    await visitor.auth.requestPasswordReset({ email: account.email });
    const first = new URL(extractLink(await waitForEmail(account.email), '/reset-password/')).pathname.split('/').pop()!;
    expect(await visitor.auth.checkPasswordReset({ token: first })).toMatchObject({ email: account.email });
    await visitor.auth.requestPasswordReset({ email: account.email });
    const links = await services.db.asService((tx) =>
      tx.selectFrom('password_resets').select(['used_at']).where('user_id', '=', account.userId).orderBy('created_at').execute(),
    );
    expect(links.map((link) => link.used_at === null)).toEqual([false, true]);
    expect(await codeOf(visitor.auth.checkPasswordReset({ token: first }))).toBe('BAD_REQUEST');
    expect(await codeOf(visitor.auth.resetPassword({ token: first, password: 'a brand new passphrase' }))).toBe('BAD_REQUEST');
  });

  it('refuses an expired reset link', async () => {
    const account = await createOwner(services, 'expired-reset');
    const visitor = anonymousCaller(services, uniqueIp());
    await visitor.auth.requestPasswordReset({ email: account.email });
    const token = new URL(extractLink(await waitForEmail(account.email), '/reset-password/')).pathname.split('/').pop()!;
    await services.db.asService((tx) =>
      tx
        .updateTable('password_resets')
        .set({ expires_at: sql`now() - interval '1 minute'` })
        .where('user_id', '=', account.userId)
        .execute(),
    );
    expect(await codeOf(visitor.auth.checkPasswordReset({ token }))).toBe('BAD_REQUEST');
    expect(await codeOf(visitor.auth.resetPassword({ token, password: 'a brand new passphrase' }))).toBe('BAD_REQUEST');
  });

  it('invites by email with a single-use, expiring link that works for new and existing users', async () => {
    const owner = await createOwner(services, 'inviter');
    const ownerCaller = await callerForToken(services, owner.token);
    const existing = await createOwner(services, 'existing');
    await ownerCaller.invitations.create({ workspaceSlug: owner.slug, email: existing.email, role: 'manager' });
    const mail = await waitForEmail(existing.email, { subject: /invit/i });
    const token = new URL(extractLink(mail, '/invitations/')).pathname.split('/').pop()!;
    const stranger = await createOwner(services, 'stranger');
    expect(await codeOf((await callerForToken(services, stranger.token)).auth.acceptInvitation({ token }))).toBe('FORBIDDEN');
    const existingCaller = await callerForToken(services, existing.token);
    await expect(existingCaller.auth.acceptInvitation({ token })).resolves.toEqual({ workspaceSlug: owner.slug });
    expect((await existingCaller.account.me()).workspaces.map((workspace) => workspace.slug).sort()).toEqual(
      [existing.slug, owner.slug].sort(),
    );
    expect(await codeOf(existingCaller.auth.acceptInvitation({ token }))).toBe('BAD_REQUEST');

    const newcomer = uniqueEmail('newcomer');
    await ownerCaller.invitations.create({ workspaceSlug: owner.slug, email: newcomer, role: 'viewer' });
    const newToken = new URL(extractLink(await waitForEmail(newcomer), '/invitations/')).pathname.split('/').pop()!;
    await services.db.asService((tx) =>
      tx
        .updateTable('invitations')
        .set({ expires_at: sql`now() - interval '1 second'` })
        .where('email', '=', newcomer)
        .execute(),
    );
    const expired = await anonymousCaller(services, uniqueIp())
      .auth.signUp({ email: newcomer, name: 'New Comer', password: TEST_PASSWORD, invitationToken: newToken })
      .catch((error: { code: string; message: string }) => error);
    expect(expired).toMatchObject({ code: 'BAD_REQUEST' });
    // The failed sign-up left no account behind.
    expect(
      await services.db.asService((tx) => tx.selectFrom('users').select('id').where('email', '=', newcomer).executeTakeFirst()),
    ).toBeUndefined();
  });

  it('treats a tampered session cookie as signed out, not as an error', async () => {
    const account = await createOwner(services, 'cookie');
    const genuine = await services.sessionCookie.serialize(account.token);
    const cookieValue = genuine.split(';')[0]!;
    const tampered = cookieValue.slice(0, -3) + (cookieValue.endsWith('A') ? 'BBB' : 'AAA');
    for (const [header, signedIn] of [
      [cookieValue, true],
      [tampered, false],
      ['cp_session=not-even-signed', false],
    ] as const) {
      const context = await createContext({
        services,
        log: services.log,
        requestId: randomUUID(),
        meta: { ip: null, userAgent: null },
        cookieHeader: header,
      });
      expect(context.session?.user.id ?? null).toBe(signedIn ? account.userId : null);
    }
  });

  it('changing the password needs the current one and signs out the other sessions', async () => {
    const account = await createOwner(services, 'change');
    const other = await anonymousCaller(services, uniqueIp()).auth.logIn({ email: account.email, password: TEST_PASSWORD });
    const caller = await callerForToken(services, account.token);
    expect((await caller.account.sessions()).length).toBe(2);
    const wrong = await caller.account
      .changePassword({ currentPassword: 'nope nope nope', newPassword: 'a fresh passphrase here' })
      .catch((error: unknown) => error);
    expect((wrong as { cause: { fieldErrors: unknown } }).cause.fieldErrors).toEqual({
      currentPassword: ['Your current password is not right.'],
    });
    await expect(
      caller.account.changePassword({ currentPassword: TEST_PASSWORD, newPassword: 'a fresh passphrase here' }),
    ).resolves.toEqual({ sessionsRevoked: 1 });
    expect(await codeOf((await callerForToken(services, other.token)).account.me())).toBe('UNAUTHORIZED');
    expect((await (await callerForToken(services, account.token)).account.sessions()).map((session) => session.current)).toEqual([true]);
  });

  it('changes the email after checking the password and tells the old address', async () => {
    const account = await createOwner(services, 'email-change');
    const caller = await callerForToken(services, account.token);
    const newEmail = uniqueEmail('renamed');
    await caller.account.changeEmail({ currentPassword: TEST_PASSWORD, newEmail });
    // The next request sees the new address.
    expect((await (await callerForToken(services, account.token)).account.me()).user.email).toBe(newEmail);
    expect((await waitForEmail(account.email)).text).toContain(newEmail);
    const taken = await createOwner(services, 'email-taken');
    expect(await codeOf(caller.account.changeEmail({ currentPassword: TEST_PASSWORD, newEmail: taken.email }))).toBe('CONFLICT');
  });

  it('renames and deletes a workspace only with the typed confirmation', async () => {
    const account = await createOwner(services, 'delete');
    const caller = await callerForToken(services, account.token);
    await caller.workspaces.rename({ workspaceSlug: account.slug, name: 'Renamed Team' });
    expect(await codeOf(caller.workspaces.delete({ workspaceSlug: account.slug, confirmation: 'renamed team' }))).toBe('BAD_REQUEST');
    await caller.workspaces.delete({ workspaceSlug: account.slug, confirmation: 'Renamed Team' });
    expect(await codeOf(caller.workspaces.get({ workspaceSlug: account.slug }))).toBe('FORBIDDEN');
    const trail = await services.db.asService((tx) =>
      tx
        .selectFrom('audit_log')
        .select(['action', 'workspace_id', 'before'])
        .where('actor_id', '=', account.userId)
        .where('action', '=', 'workspace.deleted')
        .execute(),
    );
    expect(trail).toEqual([{ action: 'workspace.deleted', workspace_id: null, before: { name: 'Renamed Team', slug: account.slug } }]);
  });

  it('knows the role order', () => {
    expect(ROLES.filter((role) => roleAtLeast(role, 'manager'))).toEqual(['manager', 'admin', 'owner']);
  });
});

describe('password checks over HTTP', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createWebApp(services, null).listen(0);
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/trpc`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const batchOf = (count: number, input: unknown) =>
    fetch(`${base}/${Array<string>(count).fill('account.changePassword').join(',')}?batch=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(Object.fromEntries(Array.from({ length: count }, (_, index) => [index, input]))),
    });

  it(`refuses a batch of more than ${TRPC_MAX_BATCH_SIZE} calls with a 400, before running any`, async () => {
    const input = { currentPassword: 'wrong guess', newPassword: 'a fresh passphrase here' };
    const tooMany = await batchOf(40, input);
    expect(tooMany.status).toBe(400);
    expect(JSON.stringify(await tooMany.json())).toMatch(/batch/i);
    // Within the limit the calls run (and, signed out, each is refused on its own).
    const allowed = await batchOf(TRPC_MAX_BATCH_SIZE, input);
    expect(allowed.status).toBe(401);
    expect(await allowed.json()).toHaveLength(TRPC_MAX_BATCH_SIZE);
  });

  it('answers a rate-limited procedure with 429 and Retry-After', async () => {
    const account = await createOwner(services, 'http-brute');
    const logIn = (password: string) =>
      fetch(`${base}/auth.logIn`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: account.email, password }),
      });
    for (let attempt = 1; attempt <= 10; attempt += 1) expect((await logIn(`guess number ${attempt}`)).status).toBe(401);
    const refused = await logIn(TEST_PASSWORD);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
  });
});
