-- Credentials, created from user.registered and kept current by user.updated / user.deactivated.
CREATE TABLE credentials (
    user_id UUID PRIMARY KEY,
    email TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    roles TEXT[] NOT NULL,
    active BOOLEAN NOT NULL DEFAULT true,
    source_updated_at TIMESTAMPTZ NOT NULL,
    password_changed_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX credentials_email ON credentials (email);
