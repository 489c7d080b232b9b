// Derives authHash the way a browser client does (Argon2id with p=4 via hash-wasm, the
// WebAssembly implementation browsers use), independently of the server and CLI code.
// stdin: {"password", "kdf": {memoryKiB, iterations, parallelism}, "kdfSalt", "authSalt"}
// stdout: {"masterKey", "authHash"} (base64url, no padding)
import { argon2id } from 'hash-wasm';

const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
const unb64url = (s) => new Uint8Array(Buffer.from(s, 'base64url'));

const input = JSON.parse(await new Promise((resolve) => {
  let data = '';
  process.stdin.on('data', (c) => { data += c; });
  process.stdin.on('end', () => resolve(data));
}));
const params = (password, salt) => ({
  password, salt, hashLength: 32, outputType: 'binary',
  memorySize: input.kdf.memoryKiB, iterations: input.kdf.iterations, parallelism: input.kdf.parallelism,
});
const masterKey = await argon2id(params(input.password, unb64url(input.kdfSalt)));
const authHash = await argon2id(params(masterKey, unb64url(input.authSalt)));
process.stdout.write(JSON.stringify({ masterKey: b64url(masterKey), authHash: b64url(authHash) }) + '\n');
