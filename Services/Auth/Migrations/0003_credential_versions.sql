-- The user's state is applied in the order of its versions (counted by the user service under its
-- row lock), not by the time the user service read before taking that lock.
ALTER TABLE credentials ADD COLUMN source_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE credentials DROP COLUMN source_updated_at;
