-- The daily run's record of each day it finished (docs/adr/0056): a day found here is answered
-- from its row when run again, without walking its loans. Never edit this file once released.

CREATE TABLE loan_days (
    day integer PRIMARY KEY,  -- UTC days since 1970-01-01
    loans bigint NOT NULL,  -- open loans the run walked
    collected bigint NOT NULL,
    not_collected bigint NOT NULL,
    repaid bigint NOT NULL,
    charged_off bigint NOT NULL,
    made_before bigint NOT NULL,  -- events an earlier, unfinished run of the day had made
    finished_at_ns bigint NOT NULL
);
