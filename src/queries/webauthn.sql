-- WebAuthn credentials (sql/016_webauthn.sql, src/webauthn.hpp).

-- name: webauthn_insert
INSERT INTO webauthn_credentials (id, user_id, credential_id, public_key, cose_alg, sign_count)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (credential_id) DO NOTHING
RETURNING id, cose_alg, sign_count, msk_iso(created_at) AS created_at, msk_iso(last_used_at) AS last_used_at

-- name: webauthn_list
SELECT id, cose_alg, sign_count, msk_iso(created_at) AS created_at, msk_iso(last_used_at) AS last_used_at
FROM webauthn_credentials WHERE user_id = $1 ORDER BY created_at, id

-- name: webauthn_credential_ids
SELECT credential_id FROM webauthn_credentials WHERE user_id = $1 ORDER BY created_at, id

-- The key an assertion names, locked so two logins with one assertion cannot both pass
-- the sign-count check.
-- name: webauthn_for_assertion
SELECT id, public_key, cose_alg, sign_count FROM webauthn_credentials
WHERE user_id = $1 AND credential_id = $2 FOR UPDATE

-- name: webauthn_used
UPDATE webauthn_credentials SET sign_count = $2, last_used_at = now() WHERE id = $1

-- name: webauthn_delete
DELETE FROM webauthn_credentials WHERE id = $1 AND user_id = $2 RETURNING id

-- Account recovery and deletion remove every key of the account.
-- name: webauthn_delete_all
DELETE FROM webauthn_credentials WHERE user_id = $1

-- name: webauthn_count
SELECT count(*) AS n FROM webauthn_credentials WHERE user_id = $1
