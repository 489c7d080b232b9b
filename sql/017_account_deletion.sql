-- 017: account deletion (issue 13, GDPR). DELETE /me crypto-shreds an account at once and
-- leaves a tombstone row: the id (so content the user wrote in shared workspaces stays
-- attributed to "a deleted account"), created_at and deleted_at. Everything that
-- identifies or authenticates the person is set to NULL in the same transaction: email,
-- the server-side hash of authHash, the KDF salts, the public key, the wrapped keys, the
-- recovery blob and the TOTP secrets (src/account_deletion.cpp). The job runner and
-- `mskanbanctl gc` delete the tombstone 30 days later; the content's author columns are
-- ON DELETE SET NULL (sql/002..014), so shared content stays readable, by then authored by
-- nobody.
ALTER TABLE users
    ADD COLUMN deleted_at timestamptz,
    ALTER COLUMN email DROP NOT NULL,
    ALTER COLUMN auth_hash DROP NOT NULL,
    ALTER COLUMN kdf_salt DROP NOT NULL,
    ALTER COLUMN auth_salt DROP NOT NULL,
    ALTER COLUMN public_key DROP NOT NULL,
    ALTER COLUMN enc_private_key DROP NOT NULL,
    ALTER COLUMN enc_symmetric_key DROP NOT NULL,
    ALTER COLUMN enc_recovery_blob DROP NOT NULL,
    -- A live account has every credential column; a deleted one has none of them.
    ADD CONSTRAINT users_live_or_shredded CHECK (
        CASE WHEN deleted_at IS NULL
             THEN email IS NOT NULL AND auth_hash IS NOT NULL AND kdf_salt IS NOT NULL
                  AND auth_salt IS NOT NULL AND public_key IS NOT NULL AND enc_private_key IS NOT NULL
                  AND enc_symmetric_key IS NOT NULL AND enc_recovery_blob IS NOT NULL
             ELSE email IS NULL AND auth_hash IS NULL AND kdf_salt IS NULL AND auth_salt IS NULL
                  AND public_key IS NULL AND enc_private_key IS NULL AND enc_symmetric_key IS NULL
                  AND enc_recovery_blob IS NULL AND totp_secret IS NULL AND totp_pending IS NULL
        END);

-- The hard delete's scan (src/queries/account_deletion.sql, gc_deleted_accounts).
CREATE INDEX users_deleted_at ON users (deleted_at) WHERE deleted_at IS NOT NULL;

-- GET /me/export lists what the user did (activity by actor), and the hard delete sets
-- actor_id to NULL in the largest table: both look rows up by actor.
CREATE INDEX activity_actor ON activity (actor_id, seq) WHERE actor_id IS NOT NULL;
