-- The currency and scale each ledger number means in this database (kernel/currency_pins.py):
-- a currency table that would rescale amounts a ledger already holds is refused at open.
CREATE TABLE currency_pins (
    ledger integer PRIMARY KEY CHECK (ledger > 0),
    code text NOT NULL CHECK (length(code) = 3),
    scale smallint NOT NULL CHECK (scale BETWEEN 0 AND 4),
    iso_list_date text NOT NULL
);
