"""Every credential can be revoked, and a revoked one is answered 401 at once: a wallet's
token (by the wallet), a partner's key (by the operator), an operator's key (by the CLI),
in this process and in any other serving the same database."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from colony.api import auth as api_auth
from colony.api.sql_store import open_api_store
from colony.cli.main import app as cli
from tests.api.test_funding_api import ALICE, BOB, Served, post
from tests.api.test_partner_api import ACQUIRER_SG, GCASH, create_partner
from tests.api.test_payment_api import operator_headers
from tests.api.test_wallet_api import auth, open_wallet


def test_a_wallet_signs_out_and_its_token_is_refused_at_once(
    served_at_each_backend: Served,
) -> None:
    client, _, _ = served_at_each_backend
    alice = open_wallet(client, ALICE)
    bob = open_wallet(client, BOB)
    assert client.get("/v1/wallets/me", headers=auth(alice)).status_code == 200  # now cached
    signed_out = post(client, "/v1/wallets/me/tokens/revoke", auth(alice), "out", {})
    assert signed_out.status_code == 200, signed_out.text
    assert signed_out.json() == {"object": "token_revocation", "wallet": alice["id"], "revoked": 1}
    refused = client.get("/v1/wallets/me", headers=auth(alice))
    assert refused.status_code == 401
    assert refused.json()["error"]["type"] == "authentication_error"
    # A retry with the same Idempotency-Key is no way back in.
    assert post(client, "/v1/wallets/me/tokens/revoke", auth(alice), "out", {}).status_code == 401
    assert client.get("/v1/wallets/me", headers=auth(bob)).status_code == 200  # only hers


def test_a_wallet_revokes_every_token_it_holds(served_at_each_backend: Served) -> None:
    client, ctx, _ = served_at_each_backend
    alice = open_wallet(client, ALICE)
    other = api_auth.WALLET_TOKEN_PREFIX + "ab" * 32  # another device's token for her wallet
    ctx.api_store.add_token(api_auth.digest(other), str(alice["id"]), ctx.clock.now_ns())
    second = {"Authorization": f"Bearer {other}"}
    assert client.get("/v1/wallets/me", headers=second).status_code == 200
    everywhere = post(client, "/v1/wallets/me/tokens/revoke", auth(alice), "all", {"all": True})
    assert everywhere.json()["revoked"] == 2, everywhere.text
    for headers in (auth(alice), second):
        assert client.get("/v1/wallets/me", headers=headers).status_code == 401


def test_a_token_revoked_by_another_process_is_refused_here(tmp_path: Path) -> None:
    """Two worker processes of `colony serve --workers` each keep their own store."""
    url = f"sqlite:///{tmp_path}/api.db"
    here, there = (open_api_store(url, shared_claims=True) for _ in range(2))
    token = api_auth.digest(api_auth.WALLET_TOKEN_PREFIX + "cd" * 32)
    here.add_token(token, "wal_alice", 1)
    assert here.wallet_for_token(token) == "wal_alice"
    assert there.revoke_tokens("wal_alice", 2, only=token) == 1
    assert here.wallet_for_token(token) is None
    here.close()
    there.close()


def test_the_operator_revokes_a_partners_key(served_at_each_backend: Served) -> None:
    client, ctx, _ = served_at_each_backend
    operator = operator_headers(ctx)
    partner, as_partner = create_partner(client, ctx, GCASH)
    other, as_other = create_partner(client, ctx, ACQUIRER_SG)
    assert client.get("/v1/partner/wallets", headers=as_partner).status_code == 200
    (listed,) = ctx.api_store.keys_of("partner", str(partner["id"]))
    path = f"/v1/partners/{partner['id']}/keys/{listed.id}/revoke"
    # Another partner's id in the path names no key of the partner: 404.
    wrong = post(client, f"/v1/partners/{other['id']}/keys/{listed.id}/revoke", operator, "w", {})
    assert (wrong.status_code, wrong.json()["error"]["param"]) == (404, "key_id")
    revoked = post(client, path, operator, "r", {})
    assert revoked.status_code == 200, revoked.text
    assert (revoked.json()["id"], revoked.json()["partner"]) == (listed.id, partner["id"])
    assert revoked.json()["revoked"] is not None
    assert client.get("/v1/partner/wallets", headers=as_partner).status_code == 401
    assert client.get("/v1/partner/wallets", headers=as_other).status_code == 200
    assert post(client, path, operator, "r2", {}).status_code == 200  # revoking twice is fine


def test_the_cli_revokes_an_operator_key(served_at_each_backend: Served, store_url: str) -> None:
    client, _, _ = served_at_each_backend
    runner = CliRunner()
    made = runner.invoke(cli, ["keys", "create-operator", "--database", store_url])
    assert made.exit_code == 0, made.output
    key = made.stdout.strip()
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/v1/partners", headers=headers).status_code == 200
    unknown = runner.invoke(
        cli, ["keys", "revoke-operator", "key_0000000000000000", "--database", store_url]
    )
    assert unknown.exit_code == 2 and "no operator key key_0000000000000000" in unknown.output
    key_id = "key_" + api_auth.digest(key)[:16]
    revoked = runner.invoke(cli, ["keys", "revoke-operator", key_id, "--database", store_url])
    assert revoked.exit_code == 0, revoked.output
    assert f"revoked {key_id}" in revoked.output
    assert client.get("/v1/partners", headers=headers).status_code == 401
    # The key itself names it too (what an operator holding a leaked key has at hand).
    again = runner.invoke(cli, ["keys", "revoke-operator", key, "--database", store_url])
    assert again.exit_code == 0 and key not in again.output


def test_a_credential_hash_kept_for_another_header_is_not_used(
    served_at_each_backend: Served,
) -> None:
    """The route reuses the hash its rate limit took only for the very header it hashed."""
    client, ctx, _ = served_at_each_backend
    alice, bob = open_wallet(client, ALICE), open_wallet(client, BOB)
    alices, bobs = f"Bearer {alice['token']}", f"Bearer {bob['token']}"
    taken = (bobs, api_auth.presented_digest(bobs))
    assert api_auth.wallet(ctx, alices, taken).id == alice["id"]
    assert api_auth.wallet(ctx, bobs, taken).id == bob["id"]
    assert client.get("/v1/wallets/me", headers=auth(alice)).json()["id"] == alice["id"]
