-- One row every sale and refund reads in share mode and a rebuild's reset locks for update: the
-- reset waits for the transactions under way and holds new ones until it has committed, so none
-- can leave half of itself behind it (a sale row without its rollups).
CREATE TABLE rebuild_fence (
    id INT NOT NULL PRIMARY KEY
);
INSERT INTO rebuild_fence (id) VALUES (1);
