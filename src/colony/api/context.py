"""Everything a request handler may use, opened once by `colony serve`."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from colony.api.admission import PaymentsInFlight
from colony.api.forwarded_payments import PaymentForwarding
from colony.api.gather import payment_gather_s as default_gather_s
from colony.api.gather import payment_together_s as default_together_s
from colony.api.rate_limit import RateLimiter
from colony.api.records import ApiStore
from colony.fx import QuoteService
from colony.kernel.clock import Clock
from colony.ledger import LedgerPort
from colony.merchants import MerchantService
from colony.partners import PartnerService
from colony.payments import PaymentCodeVerifier, PaymentService
from colony.wallets import FundingService, WalletService, WalletStore
from colony.webhooks import WebhookStore, WebhookTargets


class Closable(Protocol):
    def close(self) -> None: ...


S = TypeVar("S")


@dataclass
class ApiContext:
    ledger: LedgerPort
    wallets: WalletService
    wallet_store: WalletStore
    api_store: ApiStore
    clock: Clock
    merchants: MerchantService
    payments: PaymentService
    webhook_store: WebhookStore
    token_bytes: Callable[[int], bytes] = secrets.token_bytes
    limiter: RateLimiter | None = None  # per credential; set by create_app when not given
    address_limiter: RateLimiter | None = None  # per client address, in front of it
    # Payment-code devices and spent codes (in memory unless `colony serve` gives a store).
    code_verifier: PaymentCodeVerifier = field(default_factory=PaymentCodeVerifier)
    # Where webhooks may go: public addresses only, unless a development setting allows
    # loopback (`colony serve --allow-loopback-webhooks`).
    webhook_targets: WebhookTargets = field(default_factory=WebhookTargets)
    funding: FundingService | None = None  # partners, top-ups, withdrawals (build_context)
    fx: QuoteService | None = None  # FX rates and quotes (build_context)
    partners: PartnerService | None = None  # partners and their members (build_context)
    # The table stores build_context opened besides the API's own, for `close_stores`.
    table_stores: list[Closable] = field(default_factory=list)
    # Whether the payment route runs on the event loop, awaiting its commits (docs/adr/0033):
    # only where no step of it blocks outside a future. A follower's ledger writes are
    # futures of the writer's answers (docs/adr/0037), but PostgreSQL's reads are round
    # trips, so there it runs on a thread of the pool.
    steps_on_loop: bool = True
    # How long a gathering of payments arriving together waits for more, in seconds
    # (api/gather.py, docs/adr/0089 and 0090; `colony serve --payment-gather-ms`); 0: at once.
    payment_gather_s: float = default_gather_s
    # A payment that comes more than this after the one before it, none waiting, goes
    # through alone, in seconds (at most `payment_gather_s`; docs/adr/0090).
    payment_together_s: float = default_together_s
    # The payments this process serves at once, at most `payments_in_flight_max`, and
    # those it turned away `server_busy` (api/admission.py, docs/adr/0108): counted by the
    # served edge, shown on the console's Live page.
    payments_in_flight: PaymentsInFlight = field(default_factory=PaymentsInFlight)
    # Under `colony serve --workers N`: a follower's QR payments served whole by the
    # ledger's writer, in one call (docs/adr/0078); None for a process serving alone.
    forwarding: PaymentForwarding | None = None
    # Every other product's service, by its class (`provide`, `service`): a new product
    # registers its service in build_context, with no field of its own here.
    services: dict[type, object] = field(default_factory=dict)

    def provide(self, service: object, *stores: Closable) -> None:
        """Serve `service` to the routes (`service`); its `stores` close with the others."""
        self.services[type(service)] = service
        self.table_stores.extend(stores)

    def service(self, kind: type[S]) -> S:
        """The product service of this class that build_context provided."""
        found = self.services.get(kind)
        if not isinstance(found, kind):
            raise LookupError(f"no {kind.__name__} in this context: build_context provides it")
        return found

    def close_stores(self) -> None:
        """Close the API's store and every table store (the ledger is closed on its own)."""
        self.api_store.close()
        for store in self.table_stores:
            store.close()
