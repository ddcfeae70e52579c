-- Optional handles, kept lowercased by the registry so one plain unique index compares them
-- without regard to case (NULLs do not collide). The check repeats the registry's rule.
ALTER TABLE users ADD COLUMN username TEXT CHECK (username ~ '^[a-z0-9._-]{3,32}$');
CREATE UNIQUE INDEX users_username ON users (username);
