"""Streaming features in memory: sliding windows per wallet, device and merchant, the
wallet's own amount history, the payees it has paid and the last place it paid at.

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

import math
import threading
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from colony.kernel.clock import NS_PER_S
from colony.risk.model import Features, Place, RiskEvent

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


@dataclass
class _Windows:
    m1: Window = field(default_factory=lambda: Window(WINDOW_1M_NS))
    h1: Window = field(default_factory=lambda: Window(WINDOW_1H_NS))
    h24: Window = field(default_factory=lambda: Window(WINDOW_24H_NS))

    def advance(self, now_ns: int) -> _Windows:
        for w in (self.m1, self.h1, self.h24):
            w.advance(now_ns)
        return self

    def add(self, at_ns: int, attempts: int, amount_minor: int) -> None:
        for w in (self.m1, self.h1, self.h24):
            w.add(at_ns, attempts, amount_minor)


@dataclass
class _Wallet:
    windows: _Windows = field(default_factory=_Windows)
    count: int = 0
    sum_minor: int = 0
    sum_sq: int = 0
    payees: OrderedDict[str, None] = field(default_factory=OrderedDict)
    devices: OrderedDict[str, None] = field(default_factory=OrderedDict)
    last_place: Place | None = None
    last_at_ns: int = 0


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
    lat1, lat2 = math.radians(a.lat_micro / 1e6), math.radians(b.lat_micro / 1e6)
    dlat = lat2 - lat1
    dlon = math.radians((b.lon_micro - a.lon_micro) / 1e6)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


class FeatureStore:
    """The counters, safe to share between threads (one lock: each call is microseconds)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wallets: _Bounded[_Wallet] = _Bounded()
        self._devices: _Bounded[_Windows] = _Bounded()
        self._merchants: _Bounded[_Windows] = _Bounded()

    def tracked(self) -> tuple[int, int, int]:
        return len(self._wallets), len(self._devices), len(self._merchants)

    def features(self, event: RiskEvent) -> Features:
        """What was known just before `event` (reads only)."""
        with self._lock:
            wallet = self._wallets.get(event.wallet_id)
            device = self._devices.get(event.device) if event.device else None
            merchant = self._merchants.get(event.payee)
            now = event.at_ns
            d1h = device.advance(now).h1.count if device else 0
            m1m = merchant.advance(now).m1.count if merchant else 0
            if wallet is None:
                return Features(
                    device_count_1h=d1h,
                    merchant_count_1m=m1m,
                    device_seen=event.device is None,
                )
            w = wallet.windows.advance(now)
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

    def observe(self, event: RiskEvent) -> None:
        """Count `event` as an attempt in every window it belongs to, and its place."""
        with self._lock:
            wallet = self._wallets.get(event.wallet_id) or self._wallets.put(
                event.wallet_id, _Wallet()
            )
            wallet.windows.add(event.at_ns, 1, 0)
            if event.device is not None:
                device = self._devices.get(event.device) or self._devices.put(
                    event.device, _Windows()
                )
                device.add(event.at_ns, 1, 0)
            merchant = self._merchants.get(event.payee) or self._merchants.put(
                event.payee, _Windows()
            )
            merchant.add(event.at_ns, 1, 0)
            if event.place is not None:
                # A refused try still puts the person there.
                wallet.last_place, wallet.last_at_ns = event.place, event.at_ns

    def observe_success(self, event: RiskEvent) -> None:
        """`event`'s money moved: its amount in the windows' sums and the wallet's history,
        its payee and device known from now on."""
        with self._lock:
            wallet = self._wallets.get(event.wallet_id) or self._wallets.put(
                event.wallet_id, _Wallet()
            )
            wallet.windows.add(event.at_ns, 0, event.amount_minor)
            wallet.count += 1
            wallet.sum_minor += event.amount_minor
            wallet.sum_sq += event.amount_minor * event.amount_minor
            _remember(wallet.payees, event.payee)
            if event.device is not None:
                _remember(wallet.devices, event.device)
