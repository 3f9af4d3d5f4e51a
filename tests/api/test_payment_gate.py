"""The payment gate (api/gather.py, docs/adr/0089, docs/adr/0090): a payment alone goes
through at once, payments arriving within `together_s` of it are let through together once
the gathering's moment has passed, a full gathering at once, none held with the gate off;
`colony serve` refuses a moment it cannot wait for. Most scenarios set `together_s` to the
moment itself, so that a pause of the test process between two arrivals cannot make the
second one alone. Every API test served on loopback (`on_loopback`) and
`colony serve --workers` pays through the gate at its default moment."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest
from typer.testing import CliRunner

from colony.api.gather import PaymentGate
from colony.cli.main import app

T = TypeVar("T")
# The longest a scenario may take, in seconds.
scenario_timeout_s = 10


async def _arrive(gate: PaymentGate, order: list[int], n: int) -> None:
    await gate.enter()
    order.append(n)


def _run(scenario: Coroutine[Any, Any, T]) -> T:
    """The scenario on a new loop; a gate that holds what it should not fails it in time."""
    return asyncio.run(asyncio.wait_for(scenario, scenario_timeout_s))


async def _settle(rounds: int = 20) -> None:
    """Let every task that can run, run (several turns of the loop)."""
    for _ in range(rounds):
        await asyncio.sleep(0)


def test_a_payment_alone_goes_through_at_once_and_one_right_after_it_waits() -> None:
    async def scenario() -> tuple[list[int], list[int]]:
        gate, order = PaymentGate(3600.0, together_s=3600.0), []
        await _arrive(gate, order, 0)  # nothing came before it: through without waiting
        second = asyncio.create_task(_arrive(gate, order, 1))
        await _settle()
        held = list(order)
        second.cancel()
        return held, order

    held, order = _run(scenario())
    assert held == [0] and order == [0]


def test_a_gathering_opens_when_its_first_payment_has_waited_its_moment() -> None:
    async def scenario() -> tuple[list[int], list[int], float]:
        loop = asyncio.get_running_loop()
        gate, order = PaymentGate(0.05, together_s=0.05), []
        await _arrive(gate, order, -1)  # through alone: the ones right after it gather
        started = loop.time()
        tasks = [asyncio.create_task(_arrive(gate, order, n)) for n in range(3)]
        await _settle()
        held = list(order)  # none through yet: the moment has not passed
        await asyncio.gather(*tasks)
        return held, order, loop.time() - started

    held, order, waited = _run(scenario())
    assert held == [-1]
    assert order == [-1, 0, 1, 2]  # together, in the order they came
    assert waited >= 0.05


def test_a_payment_long_after_the_last_goes_through_alone_again() -> None:
    async def scenario() -> list[int]:
        gate, order = PaymentGate(0.01, together_s=0.01), []
        await _arrive(gate, order, 0)
        await asyncio.gather(_arrive(gate, order, 1), _arrive(gate, order, 2))  # gathered
        await asyncio.sleep(0.05)  # quiet for longer than the moment
        await _arrive(gate, order, 3)  # through at once: the test would hang otherwise
        return order

    assert _run(scenario()) == [0, 1, 2, 3]


def test_a_payment_further_apart_than_together_goes_through_alone_within_the_moment() -> None:
    """The gathering's moment (an hour here) is not what makes a payment alone: one that
    comes more than `together_s` after the last, none waiting, is not held."""

    async def scenario() -> list[int]:
        # together_s wide enough that no pause of the test process parts 1 and 2 by as much.
        gate, order = PaymentGate(3600.0, together_s=0.2), []
        await _arrive(gate, order, 0)
        await asyncio.sleep(0.4)  # apart by more than together_s, far less than the moment
        await _arrive(gate, order, 1)  # through at once: the test would time out otherwise
        held = asyncio.create_task(_arrive(gate, order, 2))  # right after it: gathered
        await _settle()
        held.cancel()
        return order

    assert _run(scenario()) == [0, 1]


def test_together_is_never_longer_than_the_moment() -> None:
    """With the gate at 10 ms and `together_s` asked at an hour, a payment 50 ms after the
    last is alone: `together_s` is capped at the moment."""

    async def timed() -> float:
        loop = asyncio.get_running_loop()
        gate = PaymentGate(0.01, together_s=3600.0)
        await gate.enter()
        await asyncio.sleep(0.05)
        started = loop.time()
        await gate.enter()  # through at once, not held 10 ms with nothing to join
        return loop.time() - started

    assert _run(timed()) < 0.01


def test_the_payment_that_fills_a_gathering_opens_it_at_once() -> None:
    async def scenario() -> tuple[list[int], list[int]]:
        gate, order = PaymentGate(3600.0, gather_max=3, together_s=3600.0), []
        await _arrive(gate, order, -1)  # through alone
        first = [asyncio.create_task(_arrive(gate, order, n)) for n in range(2)]
        await _settle()
        held = list(order)
        await _arrive(gate, order, 2)  # the third: through without waiting an hour
        await asyncio.gather(*first)
        return held, order

    held, order = _run(scenario())
    assert held == [-1]
    assert sorted(order) == [-1, 0, 1, 2]


def test_a_new_gathering_begins_after_one_opens() -> None:
    async def scenario() -> list[int]:
        gate, order = PaymentGate(3600.0, gather_max=2, together_s=3600.0), []
        await _arrive(gate, order, -1)  # through alone
        await asyncio.gather(_arrive(gate, order, 0), _arrive(gate, order, 1))
        late = asyncio.create_task(_arrive(gate, order, 2))
        await _settle()
        assert sorted(order) == [-1, 0, 1]  # the third waits for a gathering of its own
        await _arrive(gate, order, 3)
        await late
        return order

    assert sorted(_run(scenario())) == [-1, 0, 1, 2, 3]


def test_how_many_fill_a_gathering_is_asked_as_each_begins() -> None:
    """A worker's gatherings fill at 16 while it follows the writer and at 64 once it is
    the writer (docs/adr/0104): the number is read when a gathering's first payment waits,
    and holds for that gathering."""

    async def scenario() -> tuple[list[int], list[int], list[int]]:
        fills = [2, 3]
        asked: list[int] = []

        def fill_now() -> int:
            asked.append(fills[len(asked)])
            return asked[-1]

        gate = PaymentGate(3600.0, gather_max=64, together_s=3600.0, gather_max_now=fill_now)
        order: list[int] = []
        await _arrive(gate, order, -1)  # through alone: nothing asked
        first = asyncio.create_task(_arrive(gate, order, 0))
        await _settle()
        await _arrive(gate, order, 1)  # the second of a gathering filled at 2
        await first
        after_first = list(order)
        second = [asyncio.create_task(_arrive(gate, order, n)) for n in (2, 3)]
        await _settle()
        held = list(order)  # two of a gathering filled at 3 wait an hour
        await _arrive(gate, order, 4)
        await asyncio.gather(*second)
        return after_first, held, order

    after_first, held, order = _run(scenario())
    assert sorted(after_first) == [-1, 0, 1]
    assert sorted(held) == [-1, 0, 1]
    assert sorted(order) == [-1, 0, 1, 2, 3, 4]


def test_a_gathering_opened_by_its_moment_asks_again_for_the_next() -> None:
    async def scenario() -> tuple[list[int], list[int]]:
        asked: list[int] = []

        def fill_now() -> int:
            asked.append(3 if not asked else 2)
            return asked[-1]

        gate = PaymentGate(0.05, gather_max=64, together_s=3600.0, gather_max_now=fill_now)
        order: list[int] = []
        await _arrive(gate, order, -1)  # through alone
        await _arrive(gate, order, 0)  # one of a gathering filled at 3: opened by its moment
        late = asyncio.create_task(_arrive(gate, order, 1))  # the next gathering, filled at 2
        await _settle()
        await _arrive(gate, order, 2)  # fills it: long before its moment
        await late
        return asked, order

    asked, order = _run(scenario())
    assert asked == [3, 2]
    assert sorted(order) == [-1, 0, 1, 2]


@pytest.mark.parametrize("told", [0, -1, None], ids=["zero", "negative", "raises"])
def test_a_gate_not_told_how_many_fill_a_gathering_fills_it_as_its_own(
    told: int | None, caplog: pytest.LogCaptureFixture
) -> None:
    """`gather_max_now` failing or answering fewer than one may not fail a payment: the
    gathering fills at `gather_max`, logged once."""

    def fill_now() -> int:
        if told is None:
            raise RuntimeError("the role cannot be read")
        return told

    async def scenario() -> tuple[list[int], list[int]]:
        gate = PaymentGate(3600.0, gather_max=2, together_s=3600.0, gather_max_now=fill_now)
        order: list[int] = []
        await _arrive(gate, order, -1)  # through alone
        first = asyncio.create_task(_arrive(gate, order, 0))
        await _settle()
        held = list(order)  # not opened at once (a fill of 1 or less would have)
        await _arrive(gate, order, 1)  # fills the gathering of 2
        await first
        await asyncio.gather(_arrive(gate, order, 2), _arrive(gate, order, 3))  # and again
        return held, order

    held, order = _run(scenario())
    assert held == [-1]
    assert sorted(order) == [-1, 0, 1, 2, 3]
    told_of = [r for r in caplog.records if "how many fill a gathering" in r.getMessage()]
    assert len(told_of) == 1  # the second failure within the minute is not logged


def test_with_the_gate_off_a_payment_goes_through_without_yielding() -> None:
    async def scenario() -> list[int]:
        gate, order = PaymentGate(0.0), []
        other = asyncio.create_task(_arrive(gate, order, 0))
        await _arrive(gate, order, 1)  # before the task created first has even run
        await other
        return order

    assert _run(scenario()) == [1, 0]


def test_a_payment_cancelled_while_waiting_does_not_stop_the_others() -> None:
    async def scenario() -> list[int]:
        gate, order = PaymentGate(0.02, together_s=0.02), []
        await _arrive(gate, order, -1)  # through alone
        tasks = [asyncio.create_task(_arrive(gate, order, n)) for n in range(3)]
        await _settle()
        tasks[1].cancel()
        await asyncio.gather(tasks[0], tasks[2])
        return order

    assert _run(scenario()) == [-1, 0, 2]


@pytest.mark.parametrize(
    ("gather_s", "gather_max", "together_s"),
    [(-0.001, 64, 0.002), (0.002, 0, 0.002), (0.008, 64, -1.0)],
)
def test_a_gate_that_cannot_be_is_refused(
    gather_s: float, gather_max: int, together_s: float
) -> None:
    with pytest.raises(ValueError, match="cannot be"):
        PaymentGate(gather_s, gather_max, together_s)


@pytest.mark.parametrize("value", ["-1", "50.5", "soon"])
def test_colony_serve_refuses_a_gathering_it_cannot_wait_for(value: str) -> None:
    result = CliRunner().invoke(app, ["serve", "--payment-gather-ms", value])
    assert result.exit_code == 2
    assert "--payment-gather-ms" in result.output
