-- Quantities per product and month over every café: a month's top product without summing
-- a day of every café and product (filled from the daily rollup for the facts already kept).
CREATE TABLE monthly_product_sales (
    month DATE NOT NULL,
    product_id CHAR(36) NOT NULL,
    quantity BIGINT NOT NULL,
    PRIMARY KEY (month, product_id)
);
INSERT INTO monthly_product_sales (month, product_id, quantity)
SELECT DATE_FORMAT(day, '%Y-%m-01'), product_id, SUM(quantity) FROM daily_product_sales
GROUP BY DATE_FORMAT(day, '%Y-%m-01'), product_id;
