-- What idm knows of each account besides its sessions: the newest user state it applied from the
-- user service's events (version, roles, active), and an epoch that every change ending all of a
-- user's sessions (password change, deactivation) raises from one sequence. A login notes the
-- sequence before it verifies the password and opens its session only if the user's epoch is
-- not newer, under the account's row lock: no login verified before such a change survives it.
CREATE SEQUENCE account_epochs;
CREATE TABLE accounts (
    user_id UUID PRIMARY KEY,
    version BIGINT NOT NULL DEFAULT 0,
    roles TEXT[],
    active BOOLEAN NOT NULL DEFAULT true,
    epoch BIGINT NOT NULL DEFAULT 0
);
-- The user's epoch when the session opened (or was vouched for by the change that raised it).
ALTER TABLE sessions ADD COLUMN epoch BIGINT NOT NULL DEFAULT 0;
