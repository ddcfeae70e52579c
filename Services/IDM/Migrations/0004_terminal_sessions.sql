-- A café terminal's session: its user_id is the café's id and location_id says so (the token's
-- location_id claim). NULL for a user's session.
ALTER TABLE sessions ADD COLUMN location_id UUID;
