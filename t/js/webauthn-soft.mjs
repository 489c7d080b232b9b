// A software WebAuthn authenticator for the prove tests (t/36webauthn.t): makes
// registrations (attestation "none" or "packed" self attestation) and assertions with
// ES256, EdDSA or RS256 keys from Node's crypto, so the server's checks can be driven
// with exact, chosen inputs (wrong origin, old sign count, another rp id). The browser
// test (t/37webauthn-browser.t) uses Chromium's own virtual authenticator instead.
// Reads one JSON request on stdin, writes one JSON answer on stdout; binary values are
// base64url. Runs on Node 18.
import crypto from 'node:crypto';

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const sha256 = (data) => crypto.createHash('sha256').update(data).digest();

// Just enough CBOR (RFC 8949) for attestation objects and COSE keys.
function head(major, n) {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 256) return Buffer.from([(major << 5) | 24, n]);
  if (n < 65536) { const b = Buffer.alloc(3); b[0] = (major << 5) | 25; b.writeUInt16BE(n, 1); return b; }
  const b = Buffer.alloc(5); b[0] = (major << 5) | 26; b.writeUInt32BE(n, 1); return b;
}
function cbor(v) {
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === 'string') { const s = Buffer.from(v, 'utf8'); return Buffer.concat([head(3, s.length), s]); }
  if (Buffer.isBuffer(v)) return Buffer.concat([head(2, v.length), v]);
  if (Array.isArray(v)) return Buffer.concat([head(4, v.length), ...v.map(cbor)]);
  if (v instanceof Map) {
    const parts = [head(5, v.size)];
    for (const [k, x] of v) parts.push(cbor(k), cbor(x));
    return Buffer.concat(parts);
  }
  throw new Error('cbor: unsupported ' + typeof v);
}

function newKey(alg) {
  if (alg === -7) return crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  if (alg === -8) return crypto.generateKeyPairSync('ed25519');
  if (alg === -257) return crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  throw new Error('unsupported alg ' + alg);
}

function coseKey(alg, publicKey) {
  const jwk = publicKey.export({ format: 'jwk' });
  const d = (s) => Buffer.from(s, 'base64url');
  if (alg === -7) return new Map([[1, 2], [3, -7], [-1, 1], [-2, d(jwk.x)], [-3, d(jwk.y)]]);
  if (alg === -8) return new Map([[1, 1], [3, -8], [-1, 6], [-2, d(jwk.x)]]);
  return new Map([[1, 3], [3, -257], [-1, d(jwk.n)], [-2, d(jwk.e)]]);
}

function sign(alg, privateKey, data) {
  return crypto.sign(alg === -8 ? null : 'sha256', data, privateKey);
}

function counter(n) { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; }

function clientData(type, req) {
  return Buffer.from(JSON.stringify({ type, challenge: req.challenge, origin: req.origin, crossOrigin: false }));
}

function create(req) {
  const alg = req.alg ?? -7;
  const { publicKey, privateKey } = newKey(alg);
  const credId = crypto.randomBytes(req.credIdBytes ?? 32);
  const idLen = Buffer.alloc(2); idLen.writeUInt16BE(credId.length);
  const authData = Buffer.concat([
    sha256(req.rpId), Buffer.from([req.flags ?? 0x45]), counter(req.signCount ?? 0),
    Buffer.alloc(16), idLen, credId, cbor(coseKey(alg, publicKey)),
  ]);
  const cd = clientData(req.type ?? 'webauthn.create', req);
  let attStmt = new Map();
  if ((req.fmt ?? 'none') === 'packed')
    attStmt = new Map([['alg', alg], ['sig', sign(alg, privateKey, Buffer.concat([authData, sha256(cd)]))]]);
  const att = cbor(new Map([['fmt', req.fmt ?? 'none'], ['attStmt', attStmt], ['authData', authData]]));
  return {
    credentialId: b64u(credId), clientDataJSON: b64u(cd), attestationObject: b64u(att),
    key: privateKey.export({ format: 'pem', type: 'pkcs8' }), alg,
  };
}

function get(req) {
  const privateKey = crypto.createPrivateKey(req.key);
  const authData = Buffer.concat([sha256(req.rpId), Buffer.from([req.flags ?? 0x05]), counter(req.signCount ?? 1)]);
  const cd = clientData(req.type ?? 'webauthn.get', req);
  return {
    credentialId: req.credentialId, clientDataJSON: b64u(cd), authenticatorData: b64u(authData),
    signature: b64u(sign(req.alg ?? -7, privateKey, Buffer.concat([authData, sha256(cd)]))),
  };
}

let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
  const req = JSON.parse(input);
  const out = req.op === 'create' ? create(req) : get(req);
  process.stdout.write(JSON.stringify(out) + '\n');
});
