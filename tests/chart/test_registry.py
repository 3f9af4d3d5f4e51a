"""The chart declares each number once, in range, with its meaning; and its id schemes give the
ids existing ledgers already hold (only the clearing prefix moved, ADR 0023)."""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from colony.chart import (
    LEGACY,
    AccountCode,
    ChartError,
    IdPrefix,
    Slot,
    Slots,
    Space,
    TransferCode,
    derived_id,
    ledgers,
    slots,
    tagged_id,
)
from colony.chart.codes import CODE_MAX
from colony.chart.slots import clashes
from colony.merchants.service import revenue_account_id
from colony.partners.clearing import clearing_account_id, clearing_account_ids, clearing_leg_id
from colony.payments.service import payments_control_account_id
from colony.payments.treasury import fx_revenue_account_id, is_treasury_account, treasury_account_id
from colony.wallets.service import WalletService

CHART = Path(__file__).resolve().parents[2] / "src" / "colony" / "chart"
DECLARING = ("codes.py", "prefixes.py")


def duplicates_in(source: str) -> list[str]:
    """Every number declared twice in one enum of `source`, and every enum not `@enum.unique`:
    read from the text, so an alias the enum machinery would hide is still seen."""
    found = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ClassDef) or not any(
            isinstance(b, ast.Attribute) and b.attr == "IntEnum" for b in node.bases
        ):
            continue
        if "enum.unique" not in [ast.unparse(d) for d in node.decorator_list]:
            found.append(f"{node.name} is not @enum.unique")
        numbers: dict[int, str] = {}
        for statement in node.body:
            if not isinstance(statement, ast.Assign) or not isinstance(statement.value, ast.Tuple):
                continue
            first = statement.value.elts[0]
            name = ast.unparse(statement.targets[0])
            if isinstance(first, ast.Constant) and isinstance(first.value, int):
                if first.value in numbers:
                    found.append(f"{node.name}: {name} and {numbers[first.value]} are both "
                                 f"{first.value}")  # fmt: skip
                numbers[first.value] = name
    return found


@pytest.mark.parametrize("module", DECLARING)
def test_no_number_is_declared_twice(module: str) -> None:
    assert duplicates_in((CHART / module).read_text()) == []


def test_the_duplicate_check_can_fail() -> None:
    source = (CHART / "codes.py").read_text().replace("    merchant = (40,", "    merchant = (30,")
    assert duplicates_in(source) == ["AccountCode: merchant and wallet are both 30"]
    assert duplicates_in("import enum\nclass X(enum.IntEnum):\n    a = (1, 'x')\n") == [
        "X is not @enum.unique"
    ]


def test_no_member_is_an_alias() -> None:
    for declared in (AccountCode, TransferCode, IdPrefix):
        assert len(declared.__members__) == len(list(declared))


def test_codes_and_prefixes_are_in_range_and_say_what_they_are() -> None:
    packages = {p.name for p in CHART.parent.iterdir() if p.is_dir()}
    for code in (*AccountCode, *TransferCode):
        assert 0 < code <= CODE_MAX and code.meaning.strip() and code.product in packages
    for transfer in TransferCode:
        assert transfer.debits and transfer.credits
    assert all(0xF0 <= p <= 0xFF and p.code.per.endswith("currency") for p in IdPrefix)
    # Gapless from 0xF0, as TigerBeetle's tree ids: the next prefix is the next byte.
    assert sorted(IdPrefix) == list(range(0xF0, 0xF0 + len(IdPrefix)))
    assert len({p.code for p in IdPrefix}) == len(IdPrefix)  # one prefix per kind of account


def test_slots_and_ledgers_are_sound() -> None:
    assert slots.problems() == [] and ledgers.problems() == []
    assert ledgers.held_ledgers()[840] == "USD"


def test_overlapping_slots_are_refused() -> None:
    space = Space("a test base")
    a, b = Slot(space, 10, "ten to nineteen", count=10), Slot(space, 19, "nineteen")
    c, d = Slot(space, b"a-tag-of-its-own", "one"), Slot(space, b"a-tag-of-its-own", "two")
    a.name, b.name, c.name, d.name = "a", "b", "c", "d"
    assert clashes([a, b, c, d]) == [
        "a (10..19) overlaps b",
        "tag b'a-tag-of-its-own' declared twice",
    ]
    assert clashes([a, Slot(space, 20, "twenty")]) == []
    with pytest.raises(ChartError):
        Slot(space, 0, "more slots than a u64 holds", count=(1 << 64) + 1)
    with pytest.raises(ValueError, match="longer than"):
        tagged_id(1, b"short")
    with pytest.raises(ValueError, match=r"outside 0\.\.9"):
        Slots.tier_headroom_grant.of(1, 10)


# The derivations before the chart, copied as they were: ids existing ledgers hold.
def _old_derived_id(base: int, n: int) -> int:
    digest = hashlib.blake2b(base.to_bytes(16, "big") + n.to_bytes(8, "big"), digest_size=16)
    return (int.from_bytes(digest.digest(), "big") >> 1) | (1 << 127)


def _old_clearing_account_id(partner_id: str, ledger: int) -> int:
    digest = hashlib.blake2b(partner_id.encode(), digest_size=12).digest()
    return (0xF4 << 120) | (int.from_bytes(digest, "big") << 16) | ledger


def _old_clearing_leg_id(payment_id: int, part: bytes = b"") -> int:
    digest = hashlib.blake2b(
        payment_id.to_bytes(16, "big") + b"partner-clearing" + part, digest_size=16
    ).digest()
    return (int.from_bytes(digest, "big") >> 1) | (1 << 127)


@given(st.integers(1, 2**127), st.sampled_from([36, 392, 702, 840, 978]))
def test_every_id_existing_ledgers_hold_is_made_as_before(base: int, ledger: int) -> None:
    assert derived_id(base, 7) == _old_derived_id(base, 7)
    assert Slots.outflow_account.of(base, 20_000) == _old_derived_id(base, 21_000)
    assert Slots.answer_leg.of(base, 2) == _old_derived_id(base, 102)
    assert WalletService.funding_account_id(ledger) == _old_derived_id(0xF0, ledger)
    assert WalletService.limit_control_account_id(ledger) == _old_derived_id(0xF1, ledger)
    name_digest = hashlib.blake2b(b"dbs_bank", digest_size=8).digest()
    assert WalletService.funding_partner_account_id("dbs_bank", ledger) == _old_derived_id(
        int.from_bytes(name_digest, "big"), ledger
    )
    assert revenue_account_id(ledger) == (0xF2 << 120) | ledger
    assert payments_control_account_id(ledger) == (0xF3 << 120) | ledger
    assert treasury_account_id(ledger) == (0xF4 << 120) | ledger
    assert fx_revenue_account_id(ledger) == (0xF5 << 120) | ledger
    assert clearing_leg_id(base) == _old_clearing_leg_id(base)
    assert Slots.clearing_fx_merchant_side.of(base) == _old_clearing_leg_id(
        base, b"/fx-merchant-side"
    )
    assert Slots.clearing_fx_wallet_side.of(base) == _old_clearing_leg_id(base, b"/fx-wallet-side")


@given(st.text(min_size=1, max_size=40), st.sampled_from([36, 392, 702, 840, 978]))
def test_clearing_moved_off_the_treasury_byte_and_the_old_ids_are_still_read(
    partner: str, ledger: int
) -> None:
    (legacy,) = LEGACY
    new, old = clearing_account_ids(partner, ledger)
    assert new == clearing_account_id(partner, ledger) and old == _old_clearing_account_id(
        partner, ledger
    )
    assert IdPrefix.partner_clearing.holds(new) and not is_treasury_account(new)
    assert legacy.holds(old) and not legacy.holds(new)
    assert not legacy.holds(treasury_account_id(ledger))  # the treasury keeps its byte
    assert is_treasury_account(treasury_account_id(ledger))
