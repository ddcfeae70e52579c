-- Each user's changes are counted in commit order (taken under the row lock), so the consumers of
-- its events keep the newest state whatever order the events arrive in.
ALTER TABLE users ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
