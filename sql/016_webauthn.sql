-- 016: WebAuthn security keys as a second factor (issue 13, src/webauthn.hpp).
-- One row per registered credential. Nothing here is a secret: the public key verifies
-- assertions, the credential id names the key to the browser (both base64url text). A
-- stolen table lets nobody log in. The sign count is the authenticator's counter from the
-- last accepted assertion; an assertion must carry a larger one unless both are 0
-- (authenticators without a counter). No label column: a name for a key would be
-- user-chosen text, and the server keeps user text only as ciphertext; the client lists
-- keys by creation date and algorithm.
CREATE TABLE webauthn_credentials (
    id            text PRIMARY KEY,
    user_id       text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id text NOT NULL,                -- base64url, as the browser names the key
    public_key    text NOT NULL,                -- base64url of libfido2's raw public key
    cose_alg      integer NOT NULL,             -- -7 ES256, -8 EdDSA, -257 RS256
    sign_count    bigint NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    CONSTRAINT webauthn_cose_alg CHECK (cose_alg IN (-7, -8, -257))
);
-- A key is registered once on this server (a second user presenting the same credential
-- id would be the same authenticator on the same relying party).
CREATE UNIQUE INDEX webauthn_credentials_credential_id ON webauthn_credentials (credential_id);
CREATE INDEX webauthn_credentials_user ON webauthn_credentials (user_id, created_at);
