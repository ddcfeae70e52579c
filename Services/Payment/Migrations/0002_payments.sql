-- One payment per order: a redelivered order.created finds it and charges nothing.
CREATE TABLE payments (
    id UUID PRIMARY KEY,
    order_id UUID NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('succeeded', 'failed', 'refunded')),
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    currency TEXT NOT NULL,
    reference TEXT,
    failure_reason TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    refunded_at TIMESTAMPTZ
);
CREATE INDEX payments_created ON payments (created_at DESC, id);
