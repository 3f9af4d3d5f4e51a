-- The merchant portal's code requests of the last window, one row each, for every well-formed
-- number or address typed, a user's or not: the limit is counted the same way for both, so
-- the page tells nobody which belong to a shop (docs/adr/0112). Rows older than the window
-- are deleted as requests come. Never edit this file once released: change the schema in a
-- new numbered file.

CREATE TABLE sign_in_code_requests (
    address_sha256 TEXT NOT NULL,  -- hex SHA-256 of the number or lower-case address typed
    at_ns INTEGER NOT NULL
);
CREATE INDEX sign_in_code_requests_by_address ON sign_in_code_requests (address_sha256, at_ns);
CREATE INDEX sign_in_code_requests_by_time ON sign_in_code_requests (at_ns);
