-- The currency and scale each ledger number means in this database (kernel/currency_pins.py):
-- a currency table that would rescale amounts a ledger already holds is refused at open.
CREATE TABLE currency_pins (
    ledger INTEGER PRIMARY KEY CHECK (ledger > 0),
    code TEXT NOT NULL CHECK (length(code) = 3),
    scale INTEGER NOT NULL CHECK (scale BETWEEN 0 AND 4),
    iso_list_date TEXT NOT NULL
);
