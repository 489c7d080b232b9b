// An independent JavaScript implementation of the MSKanban client crypto layer
// (docs/client.md), written against libsodium-wrappers-sumo (XChaCha20-Poly1305,
// X25519, sealed boxes, BLAKE2b) and hash-wasm (Argon2id with parallelism 4),
// so the C++ library in client/crypto/ can be checked against it byte for byte.
import './webcrypto.mjs'; // first: libsodium needs globalThis.crypto (Node 18)
import _sodium from 'libsodium-wrappers-sumo';
import { argon2id } from 'hash-wasm';

export let sodium;
export async function ready() {
  await _sodium.ready;
  sodium = _sodium;
  return sodium;
}

const V = () => sodium.base64_variants.URLSAFE_NO_PADDING;
export const b64 = (u8) => sodium.to_base64(u8, V());
export const unb64 = (s) => sodium.from_base64(s, V());
export const utf8 = (s) => sodium.from_string(s);

export const aad = {
  userSymmetricKey: () => 'user:usk',
  userPrivateKey: () => 'user:x25519-secret',
  recoveryBlob: () => 'recovery:usk',
  workspaceKey: (id) => `workspace-key:${id}`,
  boardKey: (id) => `board-key:${id}`,
  workspace: (id) => `workspace:${id}`,
  board: (id) => `board:${id}`,
  column: (id) => `column:${id}`,
  card: (id) => `card:${id}`,
};

export async function kdf(input, salt, p, len = 32) {
  return argon2id({
    password: input, salt, parallelism: p.parallelism, iterations: p.iterations,
    memorySize: p.memoryKiB, hashLength: len, outputType: 'binary',
  });
}

export async function unlock(password, kdfSalt, authSalt, p) {
  const masterKey = await kdf(utf8(password), kdfSalt, p);
  const authHash = b64(await kdf(masterKey, authSalt, p));
  return { masterKey, authHash };
}

export function sealEnvelope(key, aadStr, plaintext, nonce) {
  nonce = nonce || sodium.randombytes_buf(24);
  const ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, utf8(aadStr), null, nonce, key);
  return `v1.${b64(nonce)}.${b64(ct)}`;
}

export function openEnvelope(key, aadStr, env) {
  const m = /^v1\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(env);
  if (!m) throw new Error('not a v1 envelope');
  const nonce = unb64(m[1]);
  if (nonce.length !== 24) throw new Error('nonce is not 24 bytes');
  return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, unb64(m[2]), utf8(aadStr), nonce, key);
}

// Recovery phrase: 32 bytes entropy + first 3 bytes of BLAKE2b-256(entropy),
// Crockford base32, groups of 4 joined by '-'.
const ALPHA = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export function recoveryPhrase(entropy) {
  const all = new Uint8Array(35);
  all.set(entropy, 0);
  all.set(sodium.crypto_generichash(32, entropy).subarray(0, 3), 32);
  let bits = 0, acc = 0, out = '';
  for (const b of all) {
    acc = ((acc << 8) | b) & 0xffff; bits += 8;
    while (bits >= 5) { out += ALPHA[(acc >> (bits - 5)) & 31]; bits -= 5; }
  }
  return out.match(/.{4}/g).join('-');
}
export function recoveryEntropy(phrase) {
  const s = phrase.toUpperCase().replace(/[-\s]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (s.length !== 56) throw new Error('recovery phrase length');
  const all = new Uint8Array(35);
  let bits = 0, acc = 0, n = 0;
  for (const c of s) {
    const v = ALPHA.indexOf(c);
    if (v < 0) throw new Error('recovery phrase alphabet');
    acc = ((acc << 5) | v) & 0xfff; bits += 5;
    if (bits >= 8) { all[n++] = (acc >> (bits - 8)) & 0xff; bits -= 8; }
  }
  const entropy = all.slice(0, 32);
  const sum = sodium.crypto_generichash(32, entropy).subarray(0, 3);
  if (sodium.compare(sum, all.slice(32)) !== 0) throw new Error('recovery phrase checksum');
  return entropy;
}
// Public-key fingerprint: BLAKE2b-128 (unkeyed) of the raw 32-byte X25519
// public key, lowercase hex in 8 groups of 4 digits joined by single spaces.
export const fingerprint = (publicKey) =>
  sodium.to_hex(sodium.crypto_generichash(16, publicKey)).match(/.{4}/g).join(' ');
export const recoveryKey = (entropy) =>
  sodium.crypto_generichash(32, utf8('mskanban recovery key v1'), entropy);

export function sealWorkspaceKey(publicKey, wsId, wk) {
  const label = utf8(aad.workspaceKey(wsId));
  const msg = new Uint8Array(32 + label.length);
  msg.set(wk, 0); msg.set(label, 32);
  return b64(sodium.crypto_box_seal(msg, publicKey));
}
export function openSealedWorkspaceKey(publicKey, secretKey, wsId, sealed) {
  const msg = sodium.crypto_box_seal_open(unb64(sealed), publicKey, secretKey);
  const label = sodium.to_string(msg.subarray(32));
  if (msg.length < 32 || label !== aad.workspaceKey(wsId)) throw new Error('sealed key for another workspace');
  return msg.slice(0, 32);
}

// A full registration bundle, as the register request carries it.
export async function createAccount(password, p, fixed = {}) {
  const kdfSalt = fixed.kdfSalt || sodium.randombytes_buf(16);
  const authSalt = fixed.authSalt || sodium.randombytes_buf(16);
  const { masterKey, authHash } = await unlock(password, kdfSalt, authSalt, p);
  const usk = fixed.usk || sodium.randombytes_buf(32);
  const kp = fixed.secretKey
    ? { privateKey: fixed.secretKey, publicKey: sodium.crypto_scalarmult_base(fixed.secretKey) }
    : sodium.crypto_box_keypair();
  const entropy = fixed.entropy || sodium.randombytes_buf(32);
  return {
    password, kdf: p, kdfSalt: b64(kdfSalt), authSalt: b64(authSalt), authHash,
    publicKey: b64(kp.publicKey),
    encSymmetricKey: sealEnvelope(masterKey, aad.userSymmetricKey(), usk, fixed.nonce1),
    encPrivateKey: sealEnvelope(masterKey, aad.userPrivateKey(), kp.privateKey, fixed.nonce2),
    encRecoveryBlob: sealEnvelope(recoveryKey(entropy), aad.recoveryBlob(), usk, fixed.nonce3),
    recoveryPhrase: recoveryPhrase(entropy),
    usk: b64(usk), privateKey: b64(kp.privateKey),
  };
}
