"""Streaming features in memory: sliding windows per wallet, device and merchant, the
wallet's own amount history, the payees it has paid and the last place it paid at; the
refunds each merchant gave and each wallet received (merchant risk), the P2P money into a
wallet, the wallet's usual place (the coarse cell it paid in most) and the payer's local
hour (docs/adr/0059); the complaints filed about each merchant (docs/adr/0062).

Attempts and successes count apart (docs/adr/0060): a window's count is of attempts, every
payment scored whether the ledger then took it or not (card testing is many refused tries);
a window's sum, the wallet's amount history, its payees and devices are of successes only
(`observe_success`: money that moved), so refused tries neither make an amount look usual
nor a payee known.

Bounded: each kind of key keeps at most `tracked_keys_max` keys, the least recently seen
dropped first (a dropped wallet looks new again: its payees and devices are new, its
history short, which errs toward asking, never toward trusting); each window keeps at most
`window_events_max` entries per key, an attempt and, once paid, its amount (two a paid
payment; beyond the cap the oldest leave early, so a wallet's count saturates between half
the cap and the cap, far above any rule's threshold).
"""

from __future__ import annotations

import logging
import math
from collections import OrderedDict, deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from colony.kernel import lock_order
from colony.kernel.clock import NS_PER_S
from colony.kernel.steps import done, failed
from colony.risk.model import Channel, Features, Place, RiskEvent

_log = logging.getLogger(__name__)

# Keys of one kind (wallets, devices, merchants) kept at once.
tracked_keys_max = 200_000
# Events one window keeps per key.
window_events_max = 4_096
# Payees and devices remembered per wallet.
known_per_wallet_max = 256
WINDOW_1M_NS = 60 * NS_PER_S
WINDOW_1H_NS = 3_600 * NS_PER_S
WINDOW_24H_NS = 86_400 * NS_PER_S
_EARTH_RADIUS_KM = 6_371.0
_V = TypeVar("_V")
# Consecutive payments closer in time than this are not timed for travel: the clocks of
# two tills may disagree by this much.
travel_min_interval_s = 60
# The usual place is the cell of a whole degree (about 111 km) a wallet paid in most; a
# wallet remembers this many cells, the least paid-in dropped first.
home_cells_max = 16
_MICRO = 1_000_000


class Window:
    """Attempts counted and amounts that moved summed over the last `span_ns`."""

    __slots__ = ("_events", "_span_ns", "count", "sum_minor")

    def __init__(self, span_ns: int) -> None:
        self._span_ns = span_ns
        self._events: deque[tuple[int, int, int]] = deque()  # at, attempts, amount
        self.count = 0
        self.sum_minor = 0

    def _drop(self) -> None:
        _, attempts, amount = self._events.popleft()
        self.count -= attempts
        self.sum_minor -= amount

    def advance(self, now_ns: int) -> None:
        while self._events and self._events[0][0] <= now_ns - self._span_ns:
            self._drop()

    def add(self, at_ns: int, attempts: int, amount_minor: int) -> None:
        if len(self._events) >= window_events_max:
            self._drop()
        self._events.append((at_ns, attempts, amount_minor))
        self.count += attempts
        self.sum_minor += amount_minor


class _Span:
    """One window of `_Windows`: the attempts and amounts of its newest `held` events (the
    day's: the whole list, `held` unused)."""

    __slots__ = ("count", "held", "sum_minor")

    def __init__(self) -> None:
        self.count = 0
        self.sum_minor = 0
        self.held = 0

    def leave(self, attempts: int, amount_minor: int) -> None:
        self.held -= 1
        self.count -= attempts
        self.sum_minor -= amount_minor


class _Windows:
    """Attempts counted and amounts that moved over the last minute, hour and day, kept as
    one list of events, each window the newest of them within its span (a payment's event is
    one entry, not one in each window). A longer window holds every event a shorter one
    does, since all three advance together (an event old for the day is old for the hour), so
    the day holds the whole list and the minute and the hour count how many of its newest
    they hold. Each window keeps at most `window_events_max` events, as if it were alone:
    the list keeps that many, and a window holding the oldest gives it up with the list."""

    __slots__ = ("_events", "h1", "h24", "m1")

    def __init__(self) -> None:
        self._events: deque[tuple[int, int, int]] = deque()  # at, attempts, amount
        self.m1 = _Span()
        self.h1 = _Span()
        self.h24 = _Span()  # holds every event of the list: its `held` is not kept

    def advance(self, now_ns: int) -> _Windows:
        events = self._events
        m1, h1, h24 = self.m1, self.h1, self.h24
        edge = now_ns - WINDOW_1M_NS
        while m1.held and events[-m1.held][0] <= edge:
            m1.leave(*events[-m1.held][1:])
        edge = now_ns - WINDOW_1H_NS
        while h1.held and events[-h1.held][0] <= edge:
            h1.leave(*events[-h1.held][1:])
        edge = now_ns - WINDOW_24H_NS
        while events and events[0][0] <= edge:
            _, attempts, amount = events.popleft()
            h24.count -= attempts
            h24.sum_minor -= amount
        return self

    def add(self, at_ns: int, attempts: int, amount_minor: int) -> None:
        events = self._events
        m1, h1, h24 = self.m1, self.h1, self.h24
        if len(events) >= window_events_max:
            _, gone_attempts, gone_amount = events.popleft()
            h24.count -= gone_attempts
            h24.sum_minor -= gone_amount
            if h1.held > len(events):
                h1.leave(gone_attempts, gone_amount)
            if m1.held > len(events):
                m1.leave(gone_attempts, gone_amount)
        events.append((at_ns, attempts, amount_minor))
        m1.count += attempts
        m1.sum_minor += amount_minor
        m1.held += 1
        h1.count += attempts
        h1.sum_minor += amount_minor
        h1.held += 1
        h24.count += attempts
        h24.sum_minor += amount_minor


@dataclass
class _Wallet:
    first_at_ns: int
    windows: _Windows = field(default_factory=_Windows)
    received: Window = field(default_factory=lambda: Window(WINDOW_24H_NS))
    count: int = 0
    sum_minor: int = 0
    sum_sq: int = 0
    refunds: int = 0
    payees: OrderedDict[str, None] = field(default_factory=OrderedDict)
    devices: OrderedDict[str, None] = field(default_factory=OrderedDict)
    last_place: Place | None = None
    last_at_ns: int = 0
    # Per cell of a whole degree: [payments, sum of lat_micro, sum of lon_micro].
    cells: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    # The greatest of the cells (the one paid in most), kept as they change rather than
    # looked for at every payment; None when none is known.
    usual: list[int] | None = None

    def usual_place(self) -> Place | None:
        if self.usual is None:
            return None
        count, lat, lon = self.usual
        return Place(lat // count, lon // count)

    def paid_at(self, place: Place) -> None:
        key = (place.lat_micro // _MICRO, place.lon_micro // _MICRO)
        cells = self.cells
        cell = cells.get(key)
        if cell is None:
            if len(cells) >= home_cells_max:
                least = min(cells, key=lambda k: cells[k][0])
                if cells.pop(least) is self.usual:
                    self.usual = None
            cell = cells[key] = [0, 0, 0]
        cell[0] += 1
        cell[1] += place.lat_micro
        cell[2] += place.lon_micro
        # Only this cell grew: it is the greatest now, or the greatest stays where it was
        # (the usual cell itself only grew further ahead).
        if self.usual is None:
            self.usual = max(cells.values())
        elif cell is not self.usual and cell > self.usual:
            self.usual = cell


@dataclass
class _Merchant:
    windows: _Windows = field(default_factory=_Windows)
    payments: int = 0
    refunds: int = 0
    complaints: int = 0


def _remember(known: OrderedDict[str, None], key: str) -> None:
    known[key] = None
    known.move_to_end(key)
    if len(known) > known_per_wallet_max:
        known.popitem(last=False)


class _Bounded(Generic[_V]):
    """At most `tracked_keys_max` values, the least recently used dropped first."""

    def __init__(self) -> None:
        self._values: OrderedDict[object, _V] = OrderedDict()
        self.evicted = 0

    def get(self, key: object) -> _V | None:
        value = self._values.get(key)
        if value is not None:
            self._values.move_to_end(key)
        return value

    def put(self, key: object, value: _V) -> _V:
        self._values[key] = value
        self._values.move_to_end(key)
        if len(self._values) > tracked_keys_max:
            self._values.popitem(last=False)
            self.evicted += 1
        return value

    def __len__(self) -> int:
        return len(self._values)


def km_between(a: Place, b: Place) -> float:
    """Great-circle distance (haversine); coordinates are not money, floats are fine."""
    if a.lat_micro == b.lat_micro and a.lon_micro == b.lon_micro:
        return 0.0  # what the formula gives, without it: a payer at the same shop's city
    lat1, lat2 = math.radians(a.lat_micro / 1e6), math.radians(b.lat_micro / 1e6)
    dlat = lat2 - lat1
    dlon = math.radians((b.lon_micro - a.lon_micro) / 1e6)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


class Counters(Protocol):
    """What a check asks of the counters: a `FeatureStore` in this process, or the one the
    ledger's writer holds for every worker (shared_counters.py, docs/adr/0068)."""

    def read_and_observe_later(self, event: RiskEvent) -> Future[Features]:
        """The features, then the event counted as an attempt (`FeatureStore.
        read_and_observe`): a future holding them or the error."""

    def features(self, event: RiskEvent) -> Features: ...

    def observe_success(self, event: RiskEvent) -> None: ...

    def observe_refund(self, wallet_id: str, merchant_id: str, at_ns: int) -> None: ...

    def observe_complaint(self, merchant_id: str) -> None: ...


class FeatureStore:
    """The counters, safe to share between threads (one lock: each call is microseconds)."""

    def __init__(self) -> None:
        self._lock = lock_order.lock("risk features")
        self._wallets: _Bounded[_Wallet] = _Bounded()
        self._devices: _Bounded[_Windows] = _Bounded()
        self._merchants: _Bounded[_Merchant] = _Bounded()

    def tracked(self) -> tuple[int, int, int]:
        return len(self._wallets), len(self._devices), len(self._merchants)

    def features(self, event: RiskEvent) -> Features:
        """What was known just before `event` (reads only)."""
        with self._lock:
            return self._features(event, *self._parties(event))

    def _parties(
        self, event: RiskEvent
    ) -> tuple[_Wallet | None, _Windows | None, _Merchant | None]:
        """The event's wallet, device and payee as the counters know them (None: not yet)."""
        device = None if event.device is None else self._devices.get(event.device)
        return self._wallets.get(event.wallet_id), device, self._merchants.get(event.payee)

    def _features(
        self,
        event: RiskEvent,
        wallet: _Wallet | None,
        device: _Windows | None,
        merchant: _Merchant | None,
    ) -> Features:
        now = event.at_ns
        d1h = device.advance(now).h1.count if device is not None and event.device else 0
        m1m = merchant.windows.advance(now).m1.count if merchant else 0
        m_payments = merchant.payments if merchant else 0
        m_refunds = merchant.refunds if merchant else 0
        m_complaints = merchant.complaints if merchant else 0
        hour = _local_hour(event)
        if wallet is None:
            return Features(
                device_count_1h=d1h,
                merchant_count_1m=m1m,
                device_seen=event.device is None,
                merchant_payments=m_payments,
                merchant_refunds=m_refunds,
                merchant_complaints=m_complaints,
                hour_local=hour,
            )
        w = wallet.windows.advance(now)
        wallet.received.advance(now)
        usual = wallet.usual_place()
        return Features(
            wallet_count_1m=w.m1.count,
            wallet_count_1h=w.h1.count,
            wallet_count_24h=w.h24.count,
            wallet_sum_24h_minor=w.h24.sum_minor,
            device_count_1h=d1h,
            merchant_count_1m=m1m,
            history_count=wallet.count,
            history_sum_minor=wallet.sum_minor,
            history_sum_sq=wallet.sum_sq,
            payee_seen=event.payee in wallet.payees,
            device_seen=event.device is None or event.device in wallet.devices,
            travel_kmh=self._travel_kmh(wallet, event),
            merchant_payments=m_payments,
            merchant_refunds=m_refunds,
            merchant_complaints=m_complaints,
            wallet_refunds=wallet.refunds,
            received_24h_minor=wallet.received.sum_minor,
            wallet_age_s=(now - wallet.first_at_ns) // NS_PER_S,
            hour_local=hour,
            home_km=None
            if usual is None or event.place is None
            else int(km_between(usual, event.place)),
        )

    @staticmethod
    def _travel_kmh(wallet: _Wallet, event: RiskEvent) -> int | None:
        if wallet.last_place is None or event.place is None:
            return None
        interval_s = (event.at_ns - wallet.last_at_ns) / NS_PER_S
        km = km_between(wallet.last_place, event.place)
        if interval_s < travel_min_interval_s:
            # Too close in time to measure: only a different city counts.
            return None if km < 50 else 1_000_000
        return int(km / (interval_s / 3_600))

    def read_and_observe(self, event: RiskEvent) -> Features:
        """`features(event)`, then `event` counted as an attempt: what a check does, in one
        call (one round trip when the counters are the writer's, docs/adr/0068). Counting
        that fails is logged; the features read stand. One hold of the lock and one look
        for each party serve both."""
        with self._lock:
            wallet, device, merchant = self._parties(event)
            found = self._features(event, wallet, device, merchant)
            try:
                self._observe(event, wallet, device, merchant)
            except Exception:
                _log.exception("risk features not updated")
        return found

    def read_and_observe_later(self, event: RiskEvent) -> Future[Features]:
        """`read_and_observe`, done at once: the counters are in this process."""
        try:
            return done(self.read_and_observe(event))
        except Exception as exc:
            return failed(exc)

    def observe(self, event: RiskEvent) -> None:
        """Count `event` as an attempt in every window it belongs to, and its place."""
        with self._lock:
            self._observe(event, *self._parties(event))

    def _observe(
        self,
        event: RiskEvent,
        wallet: _Wallet | None,
        device: _Windows | None,
        merchant: _Merchant | None,
    ) -> None:
        """`observe` with the parties found (`_parties`); those not yet known are added."""
        wallet = wallet or self._wallet(event.wallet_id, event.at_ns)
        wallet.windows.add(event.at_ns, 1, 0)
        if event.device is not None:
            (device or self._device(event.device)).add(event.at_ns, 1, 0)
        (merchant or self._merchant(event.payee)).windows.add(event.at_ns, 1, 0)
        if event.place is not None:
            # A refused try still puts the person there.
            wallet.last_place, wallet.last_at_ns = event.place, event.at_ns

    def observe_success(self, event: RiskEvent) -> None:
        """`event`'s money moved: its amount in the windows' sums and the wallet's history,
        its payee and device known from now on, its place towards the usual one, and the
        merchant's payments (the refund rate's denominator)."""
        with self._lock:
            wallet = self._wallet(event.wallet_id, event.at_ns)
            wallet.windows.add(event.at_ns, 0, event.amount_minor)
            wallet.count += 1
            wallet.sum_minor += event.amount_minor
            wallet.sum_sq += event.amount_minor * event.amount_minor
            _remember(wallet.payees, event.payee)
            if event.device is not None:
                _remember(wallet.devices, event.device)
                self._device(event.device).add(event.at_ns, 0, event.amount_minor)
            merchant = self._merchant(event.payee)
            merchant.windows.add(event.at_ns, 0, event.amount_minor)
            merchant.payments += 1
            if event.channel is Channel.p2p:
                # The payee is a wallet: money in, which a mule passes on soon after.
                received = self._wallet(event.payee, event.at_ns).received
                received.add(event.at_ns, 0, event.amount_minor)
            if event.place is not None:
                wallet.paid_at(event.place)

    def observe_refund(self, wallet_id: str, merchant_id: str, at_ns: int) -> None:
        """A merchant gave (part of) a payment back to a wallet: merchant risk counts it."""
        with self._lock:
            self._merchant(merchant_id).refunds += 1
            self._wallet(wallet_id, at_ns).refunds += 1

    def observe_complaint(self, merchant_id: str) -> None:
        """A person complained about a merchant: merchant risk counts it (docs/adr/0062)."""
        with self._lock:
            self._merchant(merchant_id).complaints += 1

    def _wallet(self, wallet_id: str, at_ns: int) -> _Wallet:
        return self._wallets.get(wallet_id) or self._wallets.put(wallet_id, _Wallet(at_ns))

    def _device(self, device: str) -> _Windows:
        return self._devices.get(device) or self._devices.put(device, _Windows())

    def _merchant(self, merchant_id: str) -> _Merchant:
        return self._merchants.get(merchant_id) or self._merchants.put(merchant_id, _Merchant())


def _local_hour(event: RiskEvent) -> int:
    """The payer's local hour when their offset is known, else the UTC hour."""
    offset_s = 0 if event.utc_offset_min is None else event.utc_offset_min * 60
    return (event.at_ns // NS_PER_S + offset_s) // 3_600 % 24
