-- 015: account recovery (issue 13, POST /auth/recovery; src/recovery.hpp).
-- The client derives a verifier from its recovery phrase (a domain-separated BLAKE2b of
-- the phrase's entropy, independent of the key that wraps encRecoveryBlob) and sends it;
-- the server keeps only an Argon2id PHC string of it, as it does for authHash, so it can
-- check possession of the phrase without being able to unwrap anything. NULL = the
-- account has no usable recovery (registered before this migration, until the user sets
-- one with PUT /me/recovery).
ALTER TABLE users ADD COLUMN recovery_verifier text;
-- The user's X25519 secret key wrapped by the recovery key (AAD "recovery:x25519-secret"),
-- so a recovered account keeps its key pair and can still open the workspace keys sealed
-- to it. Set together with recovery_verifier.
ALTER TABLE users ADD COLUMN enc_recovery_private_key text;
ALTER TABLE users ADD CONSTRAINT users_recovery_pair
    CHECK ((recovery_verifier IS NULL) = (enc_recovery_private_key IS NULL));
ALTER TABLE users ADD CONSTRAINT users_enc_recovery_private_key_shape
    CHECK (enc_recovery_private_key IS NULL OR msk_is_envelope(enc_recovery_private_key, 4096));
ALTER TABLE users ADD CONSTRAINT users_recovery_verifier_shape
    CHECK (recovery_verifier IS NULL OR recovery_verifier LIKE '$argon2id$%');
