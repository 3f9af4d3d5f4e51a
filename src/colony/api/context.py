"""Everything a request handler may use, opened once by `colony serve`."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from colony.api.rate_limit import RateLimiter
from colony.fx.service import QuoteService
from colony.kernel.clock import Clock
from colony.ledger import Ledger
from colony.merchants.service import MerchantService
from colony.payments.payment_code import PaymentCodeVerifier
from colony.payments.service import PaymentService
from colony.storage.sqlite_api import SqliteApiStore
from colony.wallets.funding_service import FundingService
from colony.wallets.service import WalletService
from colony.wallets.store import WalletStore
from colony.webhooks.store import WebhookStore


@dataclass
class ApiContext:
    ledger: Ledger
    wallets: WalletService
    wallet_store: WalletStore
    api_store: SqliteApiStore
    clock: Clock
    merchants: MerchantService
    payments: PaymentService
    webhook_store: WebhookStore
    token_bytes: Callable[[int], bytes] = secrets.token_bytes
    limiter: RateLimiter | None = None  # per credential; set by create_app when not given
    address_limiter: RateLimiter | None = None  # per client address, in front of it
    # Payment-code devices and spent codes (in memory unless `colony serve` gives a store).
    code_verifier: PaymentCodeVerifier = field(default_factory=PaymentCodeVerifier)
    funding: FundingService | None = None  # partners, top-ups, withdrawals (build_context)
    fx: QuoteService | None = None  # FX rates and quotes (build_context)
