"""Multilateral netting conserves money: property tests on random obligation sets, and the
report's obligations for each kind of movement."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given
from hypothesis import strategies as st

from colony.settlement.movements import Movement, MovementKind
from colony.settlement.netting import Obligation, bilateral, net_positions
from colony.settlement.report import build_report, interchange_minor, obligations_of
from colony.settlement.windows import window_of

PARTNERS = ("colony", "ptn_a", "ptn_b", "ptn_c")
obligation = st.builds(
    Obligation,
    st.sampled_from(PARTNERS),
    st.sampled_from(PARTNERS),
    st.sampled_from(("SGD", "JPY", "KWD")),
    st.integers(0, 10**15),
)
obligation_sets = st.lists(obligation, max_size=60)


@given(obligation_sets)
def test_nets_sum_to_zero_per_currency(obligations: list[Obligation]) -> None:
    totals: dict[str, int] = defaultdict(int)
    for (_, currency), net in net_positions(obligations).items():
        totals[currency] += net
    assert all(total == 0 for total in totals.values())


@given(obligation_sets)
def test_a_net_is_what_is_owed_to_less_what_is_owed_by(obligations: list[Obligation]) -> None:
    nets = net_positions(obligations)
    for (partner, currency), net in nets.items():
        receivable = sum(
            o.amount_minor for o in obligations
            if (o.payee, o.currency) == (partner, currency) and o.payer != partner
        )  # fmt: skip
        payable = sum(
            o.amount_minor for o in obligations
            if (o.payer, o.currency) == (partner, currency) and o.payee != partner
        )  # fmt: skip
        assert net == receivable - payable


@given(obligation_sets, st.randoms(use_true_random=False))
def test_netting_does_not_depend_on_order(obligations: list[Obligation], random: object) -> None:
    shuffled = list(obligations)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert net_positions(shuffled) == net_positions(obligations)
    assert bilateral(shuffled) == bilateral(obligations)


@given(obligation_sets)
def test_bilateral_offsetting_keeps_every_net(obligations: list[Obligation]) -> None:
    offset = [Obligation(p, q, c, amount) for (p, q, c), amount in bilateral(obligations).items()]
    assert {k: v for k, v in net_positions(offset).items() if v} == {
        k: v for k, v in net_positions(obligations).items() if v
    }
    assert all(amount > 0 for amount in bilateral(obligations).values())


def movement(kind: MovementKind, issuer: str, acquirer: str, amount: int, fee: int) -> Movement:
    return Movement(kind, 1, 1, issuer, acquirer, "SGD", amount, fee, 0)


def test_each_movement_makes_its_obligations() -> None:
    pay, refund = MovementKind.payment, MovementKind.refund
    for m, expected in (
        (movement(pay, "a", "b", 25_00, 38),
         [("a", "b", 25_00), ("b", "colony", 38), ("colony", "a", 7)]),
        (movement(refund, "a", "b", 10_00, 0), [("b", "a", 10_00)]),
        # A house wallet's payment earns no interchange: the house would pay itself.
        (movement(pay, "colony", "b", 10_00, 15), [("colony", "b", 10_00), ("b", "colony", 15)]),
        # A house merchant's fee is the house's already.
        (movement(pay, "a", "colony", 10_00, 15), [("a", "colony", 10_00), ("colony", "a", 3)]),
        # A fee too small to share: no interchange line of zero.
        (movement(pay, "a", "b", 1_00, 2), [("a", "b", 1_00), ("b", "colony", 2)]),
        # The house's exchange (ADR 0019): it delivers a currency, or is paid one.
        (movement(MovementKind.fx_in, "a", "colony", 25_00, 0), [("colony", "a", 25_00)]),
        (movement(MovementKind.fx_out, "a", "colony", 1_072_03, 0), [("a", "colony", 1_072_03)]),
    ):  # fmt: skip
        got = [(o.payer, o.payee, o.amount_minor) for o in obligations_of([m])]
        assert got == expected, m


def test_interchange_is_a_fifth_of_the_fee_rounded_down() -> None:
    assert [interchange_minor(f) for f in (0, 4, 5, 38, 160, 999)] == [0, 0, 1, 7, 32, 199]


# Movements as the ledger makes them: a payment or refund between two partners (the house
# may be either), with a fee on a payment; an exchange between a partner and the house.
_between = st.tuples(st.sampled_from(PARTNERS), st.sampled_from(PARTNERS)).filter(
    lambda pair: pair[0] != pair[1]
)
_currency = st.sampled_from(("PHP", "SGD", "JPY", "KWD"))
_amount = st.integers(1, 10**12)


@st.composite
def _movement(draw: st.DrawFn) -> Movement:
    kind = draw(st.sampled_from(list(MovementKind)))
    if kind in (MovementKind.fx_in, MovementKind.fx_out):
        issuer, acquirer = draw(st.sampled_from(PARTNERS[1:])), "colony"
    else:
        issuer, acquirer = draw(_between)
    amount = draw(_amount)
    fee = draw(st.integers(0, amount // 10)) if kind is MovementKind.payment else 0
    return Movement(kind, 1, 1, issuer, acquirer, draw(_currency), amount, fee, 0)


@given(st.lists(_movement(), max_size=50))
def test_a_reports_nets_conserve_every_currency_and_add_up_from_its_columns(
    movements: list[Movement],
) -> None:
    """Across currencies too: every currency's nets sum to zero, and each partner's net is
    what its own columns say, so a partner can check its line without anyone else's."""
    report = build_report(window_of(0), 0, movements)
    totals: dict[str, int] = defaultdict(int)
    for line in report.lines:
        totals[line.currency] += line.net_minor
        if line.partner_id == "colony":
            continue
        assert line.net_minor == (
            line.gross_acquired_minor - line.refunds_acquired_minor
            - line.gross_issued_minor + line.refunds_issued_minor
            - line.fees_minor + line.interchange_minor
            + line.fx_bought_minor - line.fx_sold_minor
        )  # fmt: skip
    assert all(total == 0 for total in totals.values()), totals
    bought = sum(line.fx_bought_minor for line in report.lines)
    sold = sum(line.fx_sold_minor for line in report.lines)
    assert bought == sold  # each exchange leg is bought by one side and sold by the other
