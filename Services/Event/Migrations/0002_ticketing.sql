-- Events, packets (bundles of events) and tickets. `tickets_sold` counts the valid tickets that
-- hold a seat: an event's includes the packet tickets of every packet it belongs to. Issuing
-- locks the packet row, then its events in id order, so two sales never both take the last seat.
CREATE TABLE events (
    id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    owner_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    name VARCHAR(200) NOT NULL,
    location VARCHAR(200) NOT NULL,
    description TEXT NOT NULL,
    starts_at DATETIME(6) NOT NULL,
    capacity BIGINT NOT NULL,
    tickets_sold BIGINT NOT NULL DEFAULT 0,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    INDEX events_by_start (starts_at, id),
    CONSTRAINT events_seats CHECK (capacity >= 1 AND tickets_sold BETWEEN 0 AND capacity)
);

CREATE TABLE packets (
    id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    owner_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    name VARCHAR(200) NOT NULL,
    description TEXT NOT NULL,
    capacity BIGINT NULL,
    tickets_sold BIGINT NOT NULL DEFAULT 0,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    INDEX packets_by_name (name, id),
    CONSTRAINT packets_seats CHECK (tickets_sold >= 0 AND (capacity IS NULL OR (capacity >= 1 AND tickets_sold <= capacity)))
);

CREATE TABLE packet_events (
    packet_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    event_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    PRIMARY KEY (packet_id, event_id),
    INDEX packet_events_by_event (event_id),
    FOREIGN KEY (packet_id) REFERENCES packets (id) ON DELETE CASCADE,
    FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
);

-- A cancelled ticket keeps naming its event or packet after that is deleted (no foreign key).
-- `idempotency_key` is the SHA-256 of the issuer's key: one ticket per key, ever.
CREATE TABLE tickets (
    code CHAR(12) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    event_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
    packet_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
    holder_client_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    holder_user_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
    idempotency_key CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
    valid BOOLEAN NOT NULL,
    issued_at DATETIME(6) NOT NULL,
    cancelled_at DATETIME(6) NULL,
    checked_in_at DATETIME(6) NULL,
    UNIQUE INDEX tickets_by_key (idempotency_key),
    INDEX tickets_by_holder (holder_user_id, issued_at),
    INDEX tickets_by_issue (issued_at, code),
    INDEX tickets_by_event (event_id),
    INDEX tickets_by_packet (packet_id),
    CONSTRAINT tickets_target CHECK ((event_id IS NULL) <> (packet_id IS NULL))
);
