-- The menu, the cafés, stock per café with its movements, and orders with their lines.
CREATE TABLE products (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    price_cents BIGINT NOT NULL CHECK (price_cents > 0),
    currency TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
-- A name is unique among active products (case-insensitive); deactivated ones keep theirs.
CREATE UNIQUE INDEX products_active_name ON products (lower(name)) WHERE active;
CREATE INDEX products_category ON products (category) WHERE active;

-- Access codes only as bcrypt hashes; no query of a response ever selects the column.
CREATE TABLE locations (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    access_code_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- A row appears with the first movement of a product at a café; none means 0.
CREATE TABLE stock (
    location_id UUID NOT NULL REFERENCES locations (id),
    product_id UUID NOT NULL REFERENCES products (id),
    quantity BIGINT NOT NULL CHECK (quantity >= 0),
    restocked_at TIMESTAMPTZ,
    PRIMARY KEY (location_id, product_id)
);

CREATE TABLE stock_movements (
    id BIGSERIAL PRIMARY KEY,
    location_id UUID NOT NULL,
    product_id UUID NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('restock', 'adjustment', 'sale', 'release')),
    delta BIGINT NOT NULL,
    quantity_after BIGINT NOT NULL CHECK (quantity_after >= 0),
    reason TEXT NOT NULL DEFAULT '',
    order_id UUID,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX stock_movements_product ON stock_movements (location_id, product_id, id DESC);

CREATE TABLE orders (
    id UUID PRIMARY KEY,
    user_id UUID,
    location_id UUID NOT NULL REFERENCES locations (id),
    status TEXT NOT NULL,
    total_cents BIGINT NOT NULL,
    currency TEXT NOT NULL,
    payment_status TEXT,
    payment_amount_cents BIGINT,
    payment_reference TEXT,
    payment_failure_reason TEXT,
    -- Who created it and with which Idempotency-Key (for 24 hours a replay returns this order).
    caller TEXT NOT NULL,
    idempotency_key TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    paid_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX orders_idempotency ON orders (caller, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX orders_created ON orders (created_at DESC, id);
CREATE INDEX orders_user ON orders (user_id, created_at DESC);
CREATE INDEX orders_location ON orders (location_id, created_at DESC);
CREATE INDEX orders_pending ON orders (created_at) WHERE status = 'pending_payment';

CREATE TABLE order_lines (
    order_id UUID NOT NULL REFERENCES orders (id),
    line INTEGER NOT NULL,
    product_id UUID NOT NULL,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    unit_price_cents BIGINT NOT NULL,
    PRIMARY KEY (order_id, line)
);
