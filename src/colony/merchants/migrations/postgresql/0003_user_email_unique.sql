-- A merchant user may sign in by a code mailed to their email address, so an address names
-- one user, as a phone number does. Kept in lower case, compared as kept. Never edit this
-- file once released: change the schema in a new numbered file.

UPDATE merchant_users SET email = lower(email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX merchant_users_by_email ON merchant_users (email) WHERE email IS NOT NULL;
