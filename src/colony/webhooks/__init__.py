"""Merchant webhooks: events derived from the committed ledger, delivered signed, with retries."""

from __future__ import annotations

from colony.webhooks.dispatcher import Sender, WebhookDispatcher, delivery_timeout_s
from colony.webhooks.events import announce_status, new_event
from colony.webhooks.http_sender import HttpSender
from colony.webhooks.model import Attempt, Endpoint, Event
from colony.webhooks.sql_store import open_webhook_store
from colony.webhooks.store import WebhookStore
from colony.webhooks.targets import TargetRefused, WebhookTargets

__all__ = [
    "Attempt",
    "Endpoint",
    "Event",
    "HttpSender",
    "Sender",
    "TargetRefused",
    "WebhookDispatcher",
    "WebhookStore",
    "WebhookTargets",
    "announce_status",
    "delivery_timeout_s",
    "new_event",
    "open_webhook_store",
]
