"""The wallet's PIN answering risk control's challenge over the API (docs/adr/0062).

A payment or a P2P transfer that risk control challenges is answered 402
`risk_challenge_required` and nothing is kept under its Idempotency-Key: the assessment is
kept beside the payment's id (risk's own record), so the same request sent again with the
same key, now with the wallet's PIN in its `pin` field, is the same payment (the same id,
the same assessment, not scored twice) and is paid. The PIN is never part of the request's
hash, so the retry is the same request; it is checked by `credentials` with its count of
wrong tries and its lock, shared with the wallet app.

A PIN not taken is answered without keeping it under the key either: the next try with
the right PIN, or after the lock, may use the same key.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from colony.api.context import ApiContext
from colony.api.errors import ApiError
from colony.api.idempotency import KeptElsewhere
from colony.credentials import CredentialResult, CredentialService, lock_s
from colony.kernel.clock import NS_PER_S
from colony.wallets import Wallet
from colony.web.wallet_access import pin_subject

# The longest `pin` field read, in characters: a PIN is 6 digits; longer is refused unread.
pin_chars_max = 64
# What the request's `pin` field is, in the OpenAPI description.
PIN_MEANS = (
    "the wallet's PIN, sent only to answer `risk_challenge_required`: the same request "
    "again with the same Idempotency-Key and this field pays it. Never part of the "
    "request's hash nor kept; 5 wrong tries lock the PIN for 15 minutes"
)


def hashed_fields(body: BaseModel) -> dict[str, Any]:
    """The request as its Idempotency-Key answers for it: all of it but the PIN."""
    return body.model_dump(exclude={"pin"})


def stepped_up(ctx: ApiContext, wallet: Wallet, pin: str | None) -> KeptElsewhere | bool:
    """Whether the wallet's owner confirmed with the PIN (False: no PIN sent), or the
    refusal of a PIN not taken, answered and kept nowhere. A lock is raised as 429 with
    `Retry-After` (never kept under the key either). Blocks: argon2 and a write."""
    if pin is None:
        return False
    checked = ctx.service(CredentialService).check(pin_subject(wallet.phone), pin)
    if checked.result is CredentialResult.ok:
        return True
    if checked.result is CredentialResult.locked:
        wait_s = max(1, -(-(checked.locked_until_ns - ctx.clock.now_ns()) // NS_PER_S))
        raise ApiError(
            429,
            "pin_locked",
            f"too many wrong PINs: the PIN is locked for {wait_s} s",
            type_="rate_limit_error",
            param="pin",
            retry_after_s=wait_s,
        )
    if checked.result is CredentialResult.not_set:
        refused = ApiError(
            402, "pin_not_set", "this wallet has no PIN yet: set it in the wallet app",
            type_="payment_error", param="pin",
        )  # fmt: skip
    else:
        refused = ApiError(
            402,
            "pin_wrong",
            f"wrong PIN: {checked.attempts_left} tries left before a {lock_s // 60}-minute lock",
            type_="payment_error",
            param="pin",
        )
    return KeptElsewhere(refused.status, refused.body())


def challenged(refusal: ApiError) -> KeptElsewhere:
    """Risk control's challenge, answered and kept nowhere: the assessment is kept beside
    the payment's id, so the request sent again gives it again, or with the PIN pays."""
    return KeptElsewhere(refusal.status, refusal.body())
