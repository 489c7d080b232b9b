// Import this before libsodium-wrappers-sumo. Its ESM build needs globalThis.crypto
// (getRandomValues), which Node.js has only from 19 on; Debian 12 ships Node 18.20,
// where WebCrypto exists but only as node:crypto's `webcrypto`. ES modules are
// evaluated in import order, so a module that imports this first has the global set
// before libsodium's module body runs. Newer Node keeps its own global.
import { webcrypto } from 'node:crypto';

if (globalThis.crypto?.getRandomValues === undefined) {
  Object.defineProperty(globalThis, 'crypto', { value: webcrypto, configurable: true, writable: true });
}
