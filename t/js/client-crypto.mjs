#!/usr/bin/env node
// Interop driver for the client crypto layer, JavaScript side.
//
//   node client-crypto.mjs generate        deterministic vectors (t/vectors/client-crypto.json)
//   node client-crypto.mjs fresh           random cases for the C++ side to check
//   node client-crypto.mjs check <file>    check a cases file (vectors, or C++ output)
//
// `check` prints one TAP-like line per case and exits 1 on any failure. The
// cases format is shared with t/unit/client_crypto_interop.cpp; see
// t/vectors/README.md.
import { readFileSync } from 'node:fs';
import * as C from './lib/mskcrypto.mjs';

const FULL = { memoryKiB: 65536, iterations: 3, parallelism: 4 };
const SMALL = { memoryKiB: 8192, iterations: 1, parallelism: 4 };

// Deterministic bytes for the fixed vectors: BLAKE2b of a label.
const det = (label, n = 32) => C.sodium.crypto_generichash(n, C.utf8('mskanban test vector ' + label));

async function build(fixed) {
  const { b64 } = C;
  const pick = (label, n = 32) => (fixed ? det(label, n) : C.sodium.randombytes_buf(n));
  const out = { kdf: [], envelopes: [], x25519: [], recovery: [], sealedWorkspaceKeys: [],
                accounts: [], hierarchy: [], mustFail: [] };

  for (const [password, p, tag] of [['correct horse battery staple', FULL, 'a'],
                                    ['pässwörd ✓ 🔑', SMALL, 'b']]) {
    const kdfSalt = pick('kdf salt ' + tag, 16), authSalt = pick('auth salt ' + tag, 16);
    const u = await C.unlock(password, kdfSalt, authSalt, p);
    out.kdf.push({ password, kdf: p, kdfSalt: b64(kdfSalt), authSalt: b64(authSalt),
                   masterKey: b64(u.masterKey), authHash: u.authHash });
  }

  for (const [aadStr, text, tag] of [['card:cabc123', 'Ship the release', 'a'],
                                     ['board:cboard1', 'Roadmap 2026 — Q3 ✓', 'b'],
                                     ['card:cempty', '', 'c']]) {
    const key = pick('env key ' + tag), nonce = pick('env nonce ' + tag, 24);
    out.envelopes.push({ key: b64(key), nonce: fixed ? b64(nonce) : undefined, aad: aadStr,
                         plaintext: text, envelope: C.sealEnvelope(key, aadStr, C.utf8(text), nonce) });
  }

  const sk = pick('x25519 secret');
  out.x25519.push({ secretKey: b64(sk), publicKey: b64(C.sodium.crypto_scalarmult_base(sk)) });

  const entropy = pick('recovery entropy');
  out.recovery.push({ entropy: b64(entropy), phrase: C.recoveryPhrase(entropy),
                      recoveryKey: b64(C.recoveryKey(entropy)) });

  const rsk = pick('recipient secret'), rpk = C.sodium.crypto_scalarmult_base(rsk);
  const wk = pick('workspace key'), wsId = 'cws0001';
  out.sealedWorkspaceKeys.push({ publicKey: b64(rpk), secretKey: b64(rsk), wsId,
                                 workspaceKey: b64(wk), sealed: C.sealWorkspaceKey(rpk, wsId, wk) });

  const acct = await C.createAccount('correct horse battery staple', FULL, fixed ? {
    kdfSalt: det('acct kdf salt', 16), authSalt: det('acct auth salt', 16), usk: det('acct usk'),
    secretKey: det('acct secret'), entropy: det('acct entropy'),
    nonce1: det('acct n1', 24), nonce2: det('acct n2', 24), nonce3: det('acct n3', 24) } : {});
  out.accounts.push(acct);

  const usk = pick('h usk'), hwk = pick('h wk'), bk = pick('h bk');
  const h = { usk: b64(usk), wsId: 'cws42', workspaceKey: b64(hwk), boardId: 'cboard42',
              boardKey: b64(bk), cardId: 'ccard42', title: 'Fix the login bug',
              columnId: 'ccol42', columnName: 'In progress', workspaceName: 'Team Alpha' };
  h.encWorkspaceKey = C.sealEnvelope(usk, C.aad.workspaceKey(h.wsId), hwk, fixed && det('h n1', 24));
  h.encWorkspaceName = C.sealEnvelope(hwk, C.aad.workspace(h.wsId), C.utf8(h.workspaceName), fixed && det('h n5', 24));
  h.encBoardKey = C.sealEnvelope(hwk, C.aad.boardKey(h.boardId), bk, fixed && det('h n2', 24));
  h.encTitle = C.sealEnvelope(bk, C.aad.card(h.cardId), C.utf8(h.title), fixed && det('h n3', 24));
  h.encColumnName = C.sealEnvelope(bk, C.aad.column(h.columnId), C.utf8(h.columnName), fixed && det('h n4', 24));
  out.hierarchy.push(h);

  // Values that must NOT decrypt: moved to another object, wrong key, one bit flipped.
  const e = out.envelopes[0];
  out.mustFail.push({ why: 'card ciphertext moved to another card', key: e.key, aad: 'card:cother', envelope: e.envelope });
  out.mustFail.push({ why: 'wrong key', key: b64(pick('wrong key')), aad: e.aad, envelope: e.envelope });
  const ct = C.unb64(e.envelope.split('.')[2]); ct[0] ^= 1;
  out.mustFail.push({ why: 'one bit flipped', key: e.key, aad: e.aad,
                      envelope: `v1.${e.envelope.split('.')[1]}.${b64(ct)}` });
  out.mustFail.push({ why: 'board key presented as workspace key', key: h.usk, aad: C.aad.workspaceKey(h.wsId), envelope: h.encBoardKey });
  if (fixed) Object.assign(out, specVectors(det, out));
  return out;
}

// Fixed-only sections for the statements of docs/client.md an independent client
// most easily gets wrong: text fields are strict UTF-8 (kept byte for byte, BOM
// included), base64url is strict, the fingerprint format, recovery phrase parsing.
function specVectors(det, out) {
  const { b64 } = C;
  const key = det('text key'), hex = (u8) => C.sodium.to_hex(u8);
  const text = [];
  for (const [tag, pt, t, why] of [
    ['esc', C.utf8('\x1b[2J\x1b]0;title\x07 NUL \0 RLO \u202e end'), '\x1b[2J\x1b]0;title\x07 NUL \0 RLO \u202e end', 'controls are valid text; escaping them is the display layer\'s job'],
    ['bom', new Uint8Array([0xef, 0xbb, 0xbf, 0x78]), '\ufeffx', 'a leading BOM is part of the text (TextDecoder ignoreBOM: true)'],
    ['empty', new Uint8Array(0), '', 'an envelope of "" decrypts to the empty string'],
    ['ff', new Uint8Array([0x6f, 0x6b, 0xff, 0xfe]), null, 'bytes FF FE are never UTF-8'],
    ['overlong', new Uint8Array([0xc0, 0xaf]), null, 'overlong encoding of "/"'],
    ['surrogate', new Uint8Array([0xed, 0xa0, 0x80]), null, 'UTF-8 of a surrogate (U+D800)'],
    ['truncated', new Uint8Array([0x61, 0xe2, 0x82]), null, 'truncated sequence']]) {
    const aadStr = `card:ctext${tag}`;
    text.push({ why, key: b64(key), aad: aadStr, plaintextHex: hex(pt), text: t,
                envelope: C.sealEnvelope(key, aadStr, pt, det('text nonce ' + tag, 24)) });
  }
  const base64url = [
    { text: '', hex: '', why: 'empty' },
    { text: 'AA', hex: '00', why: 'one byte' },
    { text: 'AQ', hex: '01', why: 'one byte, canonical' },
    { text: 'AB', hex: null, why: 'non-zero unused trailing bits (not canonical)' },
    { text: 'AAE', hex: '0001', why: 'two bytes' },
    { text: 'AAB', hex: null, why: 'non-zero unused trailing bits (not canonical)' },
    { text: 'AQ==', hex: null, why: 'padding' },
    { text: 'A', hex: null, why: 'length 1 mod 4' },
    { text: '-_8', hex: 'fbff', why: 'URL-safe alphabet' },
    { text: '+/8', hex: null, why: 'standard alphabet' },
    { text: 'AQ ', hex: null, why: 'whitespace' },
  ];
  const fingerprints = [out.x25519[0].publicKey, out.sealedWorkspaceKeys[0].publicKey, b64(new Uint8Array(32))]
    .map((publicKey) => ({ publicKey, fingerprint: C.fingerprint(C.unb64(publicKey)) }));
  const r = out.recovery[0];
  const swap = (s, i, c) => s.slice(0, i) + c + s.slice(i + 1);
  const firstOf = (s, chars) => [...s].findIndex((c) => chars.includes(c));
  const recoveryParsing = [
    { phrase: r.phrase, entropy: r.entropy, why: 'as written' },
    { phrase: r.phrase.toLowerCase().replace(/-/g, ' '), entropy: r.entropy, why: 'lower case, spaces for hyphens' },
    { phrase: r.phrase.replace(/-/g, ''), entropy: r.entropy, why: 'no separators' },
    { phrase: r.phrase.replace(/0/g, 'O').replace(/1/g, 'l'), entropy: r.entropy, why: 'O read as 0, l as 1' },
    { phrase: r.phrase.replace(/1/g, 'I'), entropy: r.entropy, why: 'I read as 1' },
    { phrase: swap(r.phrase, 0, r.phrase[0] === '7' ? '8' : '7'), entropy: null, why: 'one character changed: checksum fails' },
    { phrase: r.phrase.slice(0, -1), entropy: null, why: '55 characters' },
    { phrase: swap(r.phrase, 0, 'U'), entropy: null, why: 'U is not in the alphabet' },
  ];
  if (firstOf(r.phrase, '01') < 0) throw new Error('the fixed phrase has no 0 or 1 to substitute');
  return { text, base64url, fingerprints, recoveryParsing };
}

function check(doc) {
  const { b64, unb64, utf8 } = C;
  let n = 0, failed = 0;
  const ok = (cond, name) => { n++; if (!cond) failed++; console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${name}`); };
  const tryOk = async (name, fn) => { try { ok(await fn(), name); } catch (e) { ok(false, `${name}: ${e.message}`); } };
  return (async () => {
    for (const k of doc.kdf || []) await tryOk(`kdf authHash (${k.kdf.memoryKiB} KiB)`, async () => {
      const u = await C.unlock(k.password, unb64(k.kdfSalt), unb64(k.authSalt), k.kdf);
      return u.authHash === k.authHash && (!k.masterKey || b64(u.masterKey) === k.masterKey);
    });
    for (const e of doc.envelopes || []) {
      await tryOk(`envelope opens (${e.aad})`, () =>
        C.sodium.to_string(C.openEnvelope(unb64(e.key), e.aad, e.envelope)) === e.plaintext);
      if (e.nonce) await tryOk(`envelope bytes identical (${e.aad})`, () =>
        C.sealEnvelope(unb64(e.key), e.aad, utf8(e.plaintext), unb64(e.nonce)) === e.envelope);
    }
    for (const x of doc.x25519 || []) await tryOk('x25519 public from secret', () =>
      b64(C.sodium.crypto_scalarmult_base(unb64(x.secretKey))) === x.publicKey);
    for (const r of doc.recovery || []) await tryOk('recovery phrase and key', () =>
      C.recoveryPhrase(unb64(r.entropy)) === r.phrase && b64(C.recoveryEntropy(r.phrase)) === r.entropy &&
      b64(C.recoveryKey(unb64(r.entropy))) === r.recoveryKey);
    for (const s of doc.sealedWorkspaceKeys || []) await tryOk('sealed workspace key opens', () =>
      b64(C.openSealedWorkspaceKey(unb64(s.publicKey), unb64(s.secretKey), s.wsId, s.sealed)) === s.workspaceKey);
    for (const a of doc.accounts || []) await tryOk('account bundle unlocks', async () => {
      const u = await C.unlock(a.password, unb64(a.kdfSalt), unb64(a.authSalt), a.kdf);
      const usk = C.openEnvelope(u.masterKey, C.aad.userSymmetricKey(), a.encSymmetricKey);
      const sk = C.openEnvelope(u.masterKey, C.aad.userPrivateKey(), a.encPrivateKey);
      const rusk = C.openEnvelope(C.recoveryKey(C.recoveryEntropy(a.recoveryPhrase)), C.aad.recoveryBlob(), a.encRecoveryBlob);
      return u.authHash === a.authHash && b64(usk) === a.usk && b64(rusk) === a.usk &&
        b64(sk) === a.privateKey && b64(C.sodium.crypto_scalarmult_base(sk)) === a.publicKey;
    });
    for (const h of doc.hierarchy || []) await tryOk('hierarchy usk -> wk -> bk -> card title', () => {
      const wk = C.openEnvelope(unb64(h.usk), C.aad.workspaceKey(h.wsId), h.encWorkspaceKey);
      const bk = C.openEnvelope(wk, C.aad.boardKey(h.boardId), h.encBoardKey);
      const t = C.sodium.to_string(C.openEnvelope(bk, C.aad.card(h.cardId), h.encTitle));
      const c = C.sodium.to_string(C.openEnvelope(bk, C.aad.column(h.columnId), h.encColumnName));
      const w = C.sodium.to_string(C.openEnvelope(wk, C.aad.workspace(h.wsId), h.encWorkspaceName));
      return b64(wk) === h.workspaceKey && b64(bk) === h.boardKey && t === h.title && c === h.columnName && w === h.workspaceName;
    });
    const strictText = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    for (const x of doc.text || []) await tryOk(`text field (${x.why})`, () => {
      const pt = C.openEnvelope(unb64(x.key), x.aad, x.envelope);
      if (C.sodium.to_hex(pt) !== x.plaintextHex) return false;
      let t = null;
      try { t = strictText.decode(pt); } catch (e) { t = null; }
      return t === x.text;
    });
    for (const x of doc.base64url || []) await tryOk(`base64url ${JSON.stringify(x.text)} (${x.why})`, () => {
      let got = null;
      try { got = C.sodium.to_hex(unb64(x.text)); } catch (e) { got = null; }
      return got === x.hex && (got === null || b64(unb64(x.text)) === x.text);
    });
    for (const x of doc.fingerprints || []) await tryOk('public key fingerprint', () =>
      C.fingerprint(unb64(x.publicKey)) === x.fingerprint && /^[0-9a-f]{4}( [0-9a-f]{4}){7}$/.test(x.fingerprint));
    for (const x of doc.recoveryParsing || []) await tryOk(`recovery phrase parsing (${x.why})`, () => {
      let got = null;
      try { got = b64(C.recoveryEntropy(x.phrase)); } catch (e) { got = null; }
      return got === x.entropy;
    });
    for (const f of doc.mustFail || []) {
      let opened = true;
      try { C.openEnvelope(unb64(f.key), f.aad, f.envelope); } catch (e) { opened = false; }
      ok(!opened, `refused: ${f.why}`);
    }
    console.log(`1..${n}`);
    return failed;
  })();
}

await C.ready();
const [mode, file] = process.argv.slice(2);
if (mode === 'generate' || mode === 'fresh') {
  const doc = await build(mode === 'generate');
  if (mode === 'generate') doc.description = 'Fixed client crypto vectors; see t/vectors/README.md. Regenerate with: node t/js/client-crypto.mjs generate (sealed boxes are random by design).';
  process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
} else if (mode === 'check' && file) {
  process.exit((await check(JSON.parse(readFileSync(file, 'utf8')))) ? 1 : 0);
} else {
  console.error('usage: client-crypto.mjs generate|fresh|check <file>');
  process.exit(2);
}
