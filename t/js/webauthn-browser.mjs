// WebAuthn in a real browser, through the real nginx: Debian's Chromium, headless, driven
// by puppeteer-core over the DevTools protocol with a virtual authenticator (ctap2,
// internal, resident keys, user verification). Run by t/23webauthn-browser.t, which
// passes {url, registration} (an account it registered) on stdin and checks the JSON of step results this prints.
// Every API call is a fetch() from a page on the stack's own origin (/_test/blank.html,
// test stacks only), so cookies, Origin and SameSite behave as for a real client.
import crypto from 'node:crypto';
import http from 'node:http';
import puppeteer from 'puppeteer-core';

const input = JSON.parse(await new Promise((resolve) => {
  let s = '';
  process.stdin.on('data', (d) => { s += d; });
  process.stdin.on('end', () => resolve(s));
}));
const steps = {};
const note = (name, value) => { steps[name] = value; };

// A second origin (another port on localhost) for the wrong-origin case: same blank page.
const other = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/html' });
  res.end('<!doctype html><title>another origin</title>');
});
await new Promise((resolve) => other.listen(0, '127.0.0.1', resolve));
const otherUrl = `http://localhost:${other.address().port}/`;

const totp = (secretB32, t) => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secretB32) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(t / 30)));
  const h = crypto.createHmac('sha1', key).update(msg).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
};

const args = ['--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'];
if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');  // CI runs as root
const browser = await puppeteer.launch({ executablePath: input.chromium || '/usr/bin/chromium', headless: true, args });
try {
  const page = await browser.newPage();
  const home = `${input.url}/_test/blank.html`;
  await page.goto(home);
  const cdp = await page.createCDPSession();
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true },
  });

  const api = (method, path, body) => page.evaluate(async (m, p, b) => {
    const init = { method: m, credentials: 'same-origin', headers: {} };
    if (m !== 'GET' && m !== 'DELETE') { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(b ?? {}); }
    const r = await fetch('/api' + p, init);
    let json = null;
    try { json = await r.json(); } catch { /* 204 */ }
    return { status: r.status, json };
  }, method, path, body);

  // In the page: the browser's own WebAuthn calls, with base64url on the way in and out.
  const inPage = {
    create: (options) => page.evaluate(async (o) => {
      const d = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
      const e = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
      const pk = { ...o, challenge: d(o.challenge), user: { ...o.user, id: d(o.user.id) },
        excludeCredentials: o.excludeCredentials.map((c) => ({ ...c, id: d(c.id) })), attestation: 'direct' };
      const cred = await navigator.credentials.create({ publicKey: pk });
      return { id: e(cred.rawId), clientDataJSON: e(cred.response.clientDataJSON), attestationObject: e(cred.response.attestationObject) };
    }, options),
    get: (options) => page.evaluate(async (o) => {
      const d = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
      const e = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
      const pk = { challenge: d(o.challenge), rpId: o.rpId, timeout: o.timeout, userVerification: o.userVerification,
        allowCredentials: o.allowCredentials.map((c) => ({ ...c, id: d(c.id) })) };
      const a = await navigator.credentials.get({ publicKey: pk });
      return { credentialId: e(a.rawId), clientDataJSON: e(a.response.clientDataJSON),
        authenticatorData: e(a.response.authenticatorData), signature: e(a.response.signature) };
    }, options),
  };
  const { email, authHash } = input.registration;

  note('login_password', (await api('POST', '/auth/login', { email, authHash })).status);

  // Register the security key.
  const begin = await api('POST', '/auth/webauthn/register');
  note('register_begin', begin.status);
  const made = await inPage.create(begin.json.publicKey);
  const verified = await api('POST', '/auth/webauthn/verify', { clientDataJSON: made.clientDataJSON, attestationObject: made.attestationObject });
  note('register_finish', verified.status);
  note('register_algorithm', verified.json?.credential?.algorithm);
  note('register_fmt', JSON.parse(Buffer.from(made.clientDataJSON, 'base64url')).type);
  note('listed', (await api('GET', '/me/webauthn')).json?.credentials?.length);
  note('logout', (await api('POST', '/auth/logout')).status);

  // Log in with the key.
  const offer = await api('POST', '/auth/login', { email, authHash });
  note('login_offer', `${offer.status} ${offer.json?.error?.code}`);
  const assertion = await inPage.get(offer.json.webauthn);
  note('login_key', (await api('POST', '/auth/login', { email, authHash, webauthn: assertion })).status);
  note('me_after_key', (await api('GET', '/me')).status);

  // The same assertion again: the challenge is spent.
  note('replay', (await api('POST', '/auth/login', { email, authHash, webauthn: assertion })).status);

  // An assertion made on another origin (same rp id, so the browser signs it).
  const offer2 = await api('POST', '/auth/login', { email, authHash });
  await page.goto(otherUrl);
  const foreign = await inPage.get(offer2.json.webauthn);
  note('foreign_origin', JSON.parse(Buffer.from(foreign.clientDataJSON, 'base64url')).origin);
  await page.goto(home);
  note('wrong_origin', (await api('POST', '/auth/login', { email, authHash, webauthn: foreign })).status);

  // A cloned key: the authenticator's counter put back to 0 makes its next count lower
  // than the one the server stored.
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  note('authenticator_sign_count', credentials[0].signCount);
  await cdp.send('WebAuthn.removeCredential', { authenticatorId, credentialId: credentials[0].credentialId });
  await cdp.send('WebAuthn.addCredential', { authenticatorId, credential: { ...credentials[0], signCount: 0 } });
  const offer3 = await api('POST', '/auth/login', { email, authHash });
  const cloned = await inPage.get(offer3.json.webauthn);
  note('cloned_counter', (await api('POST', '/auth/login', { email, authHash, webauthn: cloned })).status);
  // TOTP as well: both offered, a TOTP code still logs in. Three refusals so far
  // (replay, origin, counter): the account backs off for 1 s, TOTP checks included.
  // (Ten logins in all: the stack's per-IP login limit, and Chromium is always 127.0.0.1.)
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const enroll = await api('POST', '/auth/2fa/enroll');
  note('totp_enroll', enroll.status);
  const now = Date.now() / 1000;
  note('totp_enable', (await api('POST', '/auth/2fa/verify', { code: totp(enroll.json.secret, now - 30) })).status);
  const both = await api('POST', '/auth/login', { email, authHash });
  note('both_offer', `${both.status} ${both.json?.error?.code} totp=${both.json?.totp}`);
  note('login_totp', (await api('POST', '/auth/login', { email, authHash, totp: totp(enroll.json.secret, now) })).status);
  note('me_after_totp', (await api('GET', '/me')).status);
} catch (e) {
  note('error', String(e && e.stack || e));
} finally {
  await browser.close();
  other.close();
  process.stdout.write(JSON.stringify(steps) + '\n');
}
