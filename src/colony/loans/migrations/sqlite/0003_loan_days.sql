-- The daily run's record of each day it finished (docs/adr/0056): a day found here is answered
-- from its row when run again, without walking its loans. Never edit this file once released.

CREATE TABLE loan_days (
    day INTEGER PRIMARY KEY,  -- UTC days since 1970-01-01
    loans INTEGER NOT NULL,  -- open loans the run walked
    collected INTEGER NOT NULL,
    not_collected INTEGER NOT NULL,
    repaid INTEGER NOT NULL,
    charged_off INTEGER NOT NULL,
    made_before INTEGER NOT NULL,  -- events an earlier, unfinished run of the day had made
    finished_at_ns INTEGER NOT NULL
);
