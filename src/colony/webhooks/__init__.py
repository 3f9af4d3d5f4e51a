"""Merchant webhooks: events derived from the committed ledger, delivered signed, with retries."""
