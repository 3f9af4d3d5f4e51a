-- A sign-in's code may go to a phone number or (the merchant portal) an email address: the
-- session keeps where it went as its address. Never edit this file once released: change
-- the schema in a new numbered file.

ALTER TABLE web_sessions RENAME COLUMN phone TO address;
