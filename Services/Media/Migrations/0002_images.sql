-- Images and avatars: each row points at one stored object (`object_key`), written before the
-- row; an owner has at most one avatar (a new one replaces the old in the same transaction).
CREATE TABLE images (
    id uuid PRIMARY KEY,
    owner_id uuid NOT NULL,
    file_name text NOT NULL,
    content_type text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp', 'image/gif')),
    size_bytes bigint NOT NULL CHECK (size_bytes > 0),
    width integer NOT NULL CHECK (width > 0),
    height integer NOT NULL CHECK (height > 0),
    visibility text NOT NULL CHECK (visibility IN ('private', 'public')),
    purpose text NOT NULL CHECK (purpose IN ('image', 'avatar')),
    object_key text NOT NULL UNIQUE,
    sha256 text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX images_by_owner ON images (owner_id, created_at DESC, id);
CREATE UNIQUE INDEX one_avatar_per_owner ON images (owner_id) WHERE purpose = 'avatar';
