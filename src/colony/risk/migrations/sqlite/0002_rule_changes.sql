-- Risk rules as analysts change them in the console: one row per change, never edited, so
-- the table is both the versions and the log of who changed what. The rules in force are
-- the defaults with each reason's newest row over them. docs/adr/0055.
-- Never edit this file once released: change the schema in a new numbered file.

CREATE TABLE risk_rule_changes (
    version INTEGER PRIMARY KEY,  -- the rule set's version this change made
    reason TEXT NOT NULL,  -- risk.Reason name
    decision INTEGER NOT NULL,  -- risk.Decision
    threshold INTEGER NOT NULL,
    weight INTEGER NOT NULL,
    mode TEXT NOT NULL,  -- active, shadow
    changed_by TEXT NOT NULL,  -- the staff member's id
    note TEXT NOT NULL,
    changed_at_ns INTEGER NOT NULL
);
