-- Where and from what an assessed payment came, so an analyst reviewing it sees them: the
-- device, the place (the shop's city centre, millionths of a degree) and the payer's offset
-- from UTC there in minutes; NULL where the event had none (P2P, a city not in the table).
-- Rows kept before this have NULLs. docs/adr/0063.
-- Never edit this file once released: change the schema in a new numbered file.

ALTER TABLE risk_assessments ADD COLUMN device text;
ALTER TABLE risk_assessments ADD COLUMN place_lat_micro bigint;
ALTER TABLE risk_assessments ADD COLUMN place_lon_micro bigint;
ALTER TABLE risk_assessments ADD COLUMN utc_offset_min bigint;
