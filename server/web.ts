import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServerBuild } from '@remix-run/node';
import { loadEnvOrExit } from './env';
import { createWebApp } from './http/app';
import { createLogger } from './log';
import { closeAppServices, createAppServices } from './services';

const env = loadEnvOrExit();
const log = createLogger(env, 'web');
const services = createAppServices(env, log);

const buildPath = path.resolve('build/index.js');
const build = (await import(pathToFileURL(buildPath).href).catch((error: unknown) => {
  log.fatal({ err: error }, `cannot load the Remix build at ${buildPath}: run \`npm run build\` first`);
  process.exit(1);
})) as ServerBuild;

const server = createWebApp(services, build).listen(env.PORT, () => {
  log.info({ port: env.PORT, url: env.APP_URL }, 'web listening');
});

let closing = false;
function shutdown(signal: NodeJS.Signals): void {
  if (closing) return;
  closing = true;
  log.info({ signal }, 'web closing: finishing open requests');
  server.close(() => {
    void closeAppServices(services).then(() => process.exit(0));
  });
  // Keep-alive connections would hold close() open; stop idle ones now and force the rest shortly.
  server.closeIdleConnections();
  setTimeout(() => server.closeAllConnections(), 5_000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
