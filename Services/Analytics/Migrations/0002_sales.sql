-- Sales facts from order.paid (one row per order and per order line, as sold) and the daily
-- rollups the dashboard reads. A refund takes its order back out of the rollups. An order's row
-- in `sales` is what serialises its sale and its refund: a refund that arrives first leaves the
-- row with only `refunded_at`, and the sale then never counts.
CREATE TABLE sales (
    order_id CHAR(36) NOT NULL PRIMARY KEY,
    location_id CHAR(36) NULL,
    location_name VARCHAR(400) NULL,
    total_cents BIGINT NULL,
    paid_at DATETIME(6) NULL,
    refunded_at DATETIME(6) NULL,
    INDEX sales_paid (paid_at)
);

CREATE TABLE sale_lines (
    order_id CHAR(36) NOT NULL,
    line INT NOT NULL,
    location_id CHAR(36) NOT NULL,
    product_id CHAR(36) NOT NULL,
    product_name VARCHAR(400) NOT NULL,
    category VARCHAR(200) NOT NULL,
    quantity BIGINT NOT NULL,
    unit_price_cents BIGINT NOT NULL,
    line_total_cents BIGINT NOT NULL,
    paid_at DATETIME(6) NOT NULL,
    PRIMARY KEY (order_id, line)
);

-- The latest name each café and product was sold under.
CREATE TABLE location_names (
    location_id CHAR(36) NOT NULL PRIMARY KEY,
    name VARCHAR(400) NOT NULL
);

CREATE TABLE product_names (
    product_id CHAR(36) NOT NULL PRIMARY KEY,
    name VARCHAR(400) NOT NULL
);

CREATE TABLE daily_location_sales (
    day DATE NOT NULL,
    location_id CHAR(36) NOT NULL,
    sales_cents BIGINT NOT NULL,
    order_count BIGINT NOT NULL,
    PRIMARY KEY (day, location_id)
);

CREATE TABLE daily_product_sales (
    day DATE NOT NULL,
    location_id CHAR(36) NOT NULL,
    product_id CHAR(36) NOT NULL,
    quantity BIGINT NOT NULL,
    sales_cents BIGINT NOT NULL,
    PRIMARY KEY (day, location_id, product_id)
);

CREATE TABLE daily_category_sales (
    day DATE NOT NULL,
    category VARCHAR(200) NOT NULL,
    sales_cents BIGINT NOT NULL,
    PRIMARY KEY (day, category)
);
