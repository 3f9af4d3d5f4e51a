"""The customer-presented payment code: 18 digits a phone shows offline, valid a minute, once.

The wallet app holds a per-device secret, given when the device was bound to the wallet. To
pay, it shows (as digits, a barcode or a QR) `28` + the device's 8-digit public number + an
8-digit one-time password: RFC 6238 TOTP with HMAC-SHA256 over 30-second steps. It needs no
network on the phone, which is the point: it works in a basement shop with no signal.

The merchant's terminal sends the code with the amount. Colony finds the device by its
number, recomputes the password for the current and the previous step (so a code lives 30-60
seconds, whatever the clocks' small drift), and accepts each (device, step) once. An older
step within the recognition window is reported as expired rather than wrong, so the person
at the till can be told to refresh the code rather than that it is false.

Devices and spent codes live in a `DeviceStore` (`sql_device_store.py`, on SQLite or
PostgreSQL), so a code spent once stays spent across restarts and across processes sharing
the database.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from colony.kernel.clock import NS_PER_S

CODE_PREFIX = "28"
device_number_digits = 8
password_digits = 8
step_s = 30
# Steps accepted: the current one and the one before (a code lives 30 to 60 seconds).
accepted_steps = 2
# Older steps still recognised, to say "expired" rather than "wrong": 10 minutes.
recognised_steps = 20
# How far back spent steps are remembered. Past `accepted_steps` a code is refused anyway; the
# margin keeps a server whose clock runs a little ahead from forgetting a spend that one
# running behind would still accept (several processes share one spent-code table).
spent_memory_steps = accepted_steps + 4
device_secret_bytes = 32
CODE_DIGITS = len(CODE_PREFIX) + device_number_digits + password_digits


class CodeResult(enum.IntEnum):
    ok = 0
    malformed = 1  # not 18 digits starting with 28
    unknown_device = 2  # no such device, or it was unbound
    expired = 3  # a real code, but older than a minute: refresh it
    already_used = 4  # this code was accepted before: a replay
    wrong = 5  # the password matches nothing recent


@dataclass(frozen=True)
class Device:
    number: int  # public: printed inside every code it makes
    secret: bytes  # private: only the device and Colony know it
    wallet_id: str  # the wallet this phone pays from


def new_device(
    number: int, wallet_id: str, token_bytes: Callable[[int], bytes] | None = None
) -> Device:
    """Bind a device: a fresh random secret (randomness passed in for tests)."""
    if not 0 <= number < 10**device_number_digits:
        raise ValueError(f"device number must have at most {device_number_digits} digits")
    make = token_bytes or secrets.token_bytes
    return Device(number, make(device_secret_bytes), wallet_id)


def password(secret: bytes, step: int) -> str:
    """RFC 6238 / RFC 4226 dynamic truncation over HMAC-SHA256, `password_digits` long."""
    digest = hmac.new(secret, step.to_bytes(8, "big"), hashlib.sha256).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFF_FFFF
    return f"{value % 10**password_digits:0{password_digits}d}"


def step_at(now_ns: int) -> int:
    return now_ns // NS_PER_S // step_s


def code_for(device: Device, now_ns: int) -> str:
    """What the phone shows at `now_ns` (computed on the phone, offline)."""
    number = f"{device.number:0{device_number_digits}d}"
    return f"{CODE_PREFIX}{number}{password(device.secret, step_at(now_ns))}"


@dataclass
class CodeCheck:
    result: CodeResult
    device: Device | None = None


class DeviceStore(Protocol):
    """Bound devices and spent (device, step) pairs. A spend must be atomic and durable:
    `spend` answers True for exactly one caller per pair, whichever process asks."""

    def bind(self, device: Device, now_ns: int) -> bool:
        """Store a new device; False if its number is taken (bound or revoked)."""
        ...

    def device(self, number: int) -> Device | None:
        """The device with this number, unless it is unknown or revoked."""
        ...

    def revoke(self, number: int, wallet_id: str, now_ns: int) -> bool:
        """Unbind a wallet's device; False if the wallet has no such active device."""
        ...

    def spend(self, number: int, step: int) -> bool:
        """Mark (device, step) used; False if it was used before."""
        ...

    def forget_spent_before(self, step: int) -> None: ...


@dataclass
class InMemoryDeviceStore:
    """A DeviceStore for one process that forgets everything when it stops: for tests."""

    devices: dict[int, Device] = field(default_factory=dict)
    revoked: set[int] = field(default_factory=set)
    used: set[tuple[int, int]] = field(default_factory=set)

    def bind(self, device: Device, now_ns: int) -> bool:
        if device.number in self.devices:
            return False
        self.devices[device.number] = device
        return True

    def device(self, number: int) -> Device | None:
        return None if number in self.revoked else self.devices.get(number)

    def revoke(self, number: int, wallet_id: str, now_ns: int) -> bool:
        if self.device(number) is None or self.devices[number].wallet_id != wallet_id:
            return False
        self.revoked.add(number)
        return True

    def spend(self, number: int, step: int) -> bool:
        if (number, step) in self.used:
            return False
        self.used.add((number, step))
        return True

    def forget_spent_before(self, step: int) -> None:
        if self.used:
            self.used = {(n, s) for n, s in self.used if s >= step}


@dataclass
class PaymentCodeVerifier:
    """Checks codes against bound devices and remembers which (device, step) were used.

    The used set only needs to reach back `spent_memory_steps`: older steps are refused anyway,
    so it is pruned as time moves and stays bounded.
    """

    store: DeviceStore = field(default_factory=InMemoryDeviceStore)

    def bind(self, device: Device, now_ns: int = 0) -> bool:
        return self.store.bind(device, now_ns)

    def unbind(self, number: int) -> None:
        found = self.store.device(number)
        if found is not None:
            self.store.revoke(number, found.wallet_id, 0)

    def check(self, code: str, now_ns: int) -> CodeCheck:
        """Accept a code once; any other outcome names why."""
        if (
            len(code) != CODE_DIGITS
            or not code.isascii()
            or not code.isdigit()
            or not code.startswith(CODE_PREFIX)
        ):
            return CodeCheck(CodeResult.malformed)
        number = int(code[len(CODE_PREFIX) : len(CODE_PREFIX) + device_number_digits])
        given = code[-password_digits:]
        device = self.store.device(number)
        if device is None:
            return CodeCheck(CodeResult.unknown_device)
        now_step = step_at(now_ns)
        self.store.forget_spent_before(now_step - spent_memory_steps + 1)
        for age in range(recognised_steps):
            step = now_step - age
            if hmac.compare_digest(password(device.secret, step), given):
                if age >= accepted_steps:
                    return CodeCheck(CodeResult.expired, device)
                if not self.store.spend(number, step):
                    return CodeCheck(CodeResult.already_used, device)
                return CodeCheck(CodeResult.ok, device)
        return CodeCheck(CodeResult.wrong, device)
