"""An integrating developer's view: a Python client generated from /openapi.json with
openapi-python-client (offline, into a temporary folder) opens a wallet, onboards a
merchant, pays, refunds and lists payments against a live server on loopback, and every
answer comes back as one of the generated model classes, never a dict."""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from colony.api.context import ApiContext
from tests.api.test_payment_api import SHOP, operator_headers

# The longest the generator may take, in seconds.
generate_timeout_s = 120
PACKAGE = "colony_client"


@pytest.fixture
def generated(served: tuple[httpx.Client, ApiContext], tmp_path: Path) -> Iterator[ModuleType]:
    """The client package generated from the served description, importable."""
    client, _ = served
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(client.get("/openapi.json").json()))
    generator = Path(sys.executable).with_name("openapi-python-client")
    result = subprocess.run(
        [str(generator), "generate", "--path", str(spec), "--meta", "none",
         "--output-path", str(tmp_path / PACKAGE)],
        capture_output=True,
        text=True,
        timeout=generate_timeout_s,
        cwd=tmp_path,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    # Every operation is generated: the statement upload too (it used to be skipped).
    assert "Endpoint will not be generated" not in result.stdout + result.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def api(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.api.{name}")


def test_a_generated_client_pays_refunds_and_lists_typed(
    generated: ModuleType, served: tuple[httpx.Client, ApiContext]
) -> None:
    client, ctx = served
    models = importlib.import_module(f"{PACKAGE}.models")
    base_url = str(client.base_url)
    with contextlib.ExitStack() as open_clients:

        def connected(token: str | None = None) -> object:
            """A generated client, closed at the end of the test: with a bearer token, an
            `AuthenticatedClient`."""
            made = (
                generated.Client(base_url=base_url)
                if token is None
                else generated.AuthenticatedClient(base_url=base_url, token=token)
            )
            return open_clients.enter_context(made)

        story(models, ctx, connected)


def story(models: ModuleType, ctx: ApiContext, connected: Any) -> None:
    """The integrating developer's calls, each answer checked to be a generated model."""
    anyone = connected()
    operator_key = operator_headers(ctx)["Authorization"].removeprefix("Bearer ")
    operator = connected(operator_key)

    # The number is proved first: a code is texted to it (here, to the operator's outbox).
    started = api("phones.start_phone_verification").sync(
        client=anyone,
        body=models.StartVerification(phone="+6591234567", purpose="open_wallet"),
        idempotency_key="prove-tan",
    )
    assert isinstance(started, models.VerificationObject)
    outbox = api("phones.list_sms_outbox").sync(client=operator, phone="+6591234567")
    assert isinstance(outbox, models.SmsList) and isinstance(outbox.data[0], models.SmsObject)
    opened = api("wallets.open_wallet").sync(
        client=anyone,
        body=models.OpenOwnWallet(
            phone="+6591234567",
            name="Tan Wei",
            currency="SGD",
            verification=started.id,
            code=outbox.data[0].text[:6],
        ),
        idempotency_key="open-tan",
    )
    assert isinstance(opened, models.OpenedWalletObject)
    assert isinstance(opened.balance, models.AmountObject) and opened.balance.amount_minor == 1
    assert ctx.wallets.cash_in("+6591234567", "SGD", 20_000).result.name == "ok"
    wallet = connected(opened.token)
    onboarded = api("merchants.onboard_merchant").sync(
        client=operator, body=models.OnboardMerchant(**SHOP), idempotency_key="m-hawker"
    )
    assert isinstance(onboarded, models.OnboardedMerchantObject)
    merchant = connected(onboarded.api_key)
    code = api("merchants.get_qr_code").sync(client=merchant)
    assert isinstance(code, models.QrCodeObject)

    paid = api("payments.create_payment").sync(
        client=wallet,
        body=models.PayByQr(payload=code.payload, amount_minor=1_000),
        idempotency_key="pay-1",
    )
    assert isinstance(paid, models.PaymentObject)
    assert paid.status == models.PaymentObjectStatus.SUCCEEDED and paid.amount_minor == 1_000

    refunded = api("payments.create_refund").sync(
        client=merchant,
        payment_id=paid.id,
        body=models.Amount(amount_minor=400),
        idempotency_key="refund-1",
    )
    assert isinstance(refunded, models.RefundObject)
    assert refunded.payment == paid.id and refunded.amount_minor == 400

    listed = api("payments.list_payments").sync(client=wallet)
    assert isinstance(listed, models.PaymentList) and not listed.has_more
    (shown,) = listed.data
    assert isinstance(shown, models.PaymentObject)
    assert (shown.id, shown.amount_refunded_minor) == (paid.id, 400)

    # A refusal is the error object, typed too; and the ledger agrees with the answers.
    missing = api("payments.get_payment").sync(client=merchant, payment_id="pay_" + "0" * 32)
    assert isinstance(missing, models.Error)
    assert isinstance(missing.error, models.ErrorDetail)
    assert missing.error.code == "resource_missing"
    stored = ctx.wallet_store.by_phone("+6591234567", "SGD")
    assert stored is not None and ctx.wallets.balance(stored) == 1 + 20_000 - 1_000 + 400
