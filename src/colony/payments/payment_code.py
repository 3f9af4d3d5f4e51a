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

Guessing is bounded (docs/adr/0030-abuse-at-the-edge.md). Every failed code is recorded
against its device number and the merchant that sent it; a device that gathers
`code_failures_per_device_max` failures within `code_failure_window_s` is locked (its owner
reads that in its device list) and a merchant past `code_failures_per_merchant_max` is refused
until its failures age out. A code for a device that does not exist, or is revoked or locked,
fails exactly as a wrong password does, and takes the same work to check, so the answers tell
no one which device numbers are real.

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
from dataclasses import dataclass, field, replace
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
# Random device numbers tried before giving up (a number is taken once in a long while).
device_number_attempts = 8
# Guessing: failed codes counted over a sliding window, in seconds. A device that gets
# `code_failures_per_device_max` of them within the window (from any merchants) is locked and
# its owner told; a merchant that sends `code_failures_per_merchant_max` (for any devices) is
# refused further codes until its oldest failure leaves the window.
code_failure_window_s = 15 * 60
code_failures_per_device_max = 5
code_failures_per_merchant_max = 30
CODE_DIGITS = len(CODE_PREFIX) + device_number_digits + password_digits


class CodeResult(enum.IntEnum):
    ok = 0
    malformed = 1  # not 18 digits starting with 28
    unknown_device = 2  # no such device, or it was unbound or locked
    expired = 3  # a real code, but older than a minute: refresh it
    already_used = 4  # this code was accepted before: a replay
    wrong = 5  # the password matches nothing recent
    attempts_exceeded = 6  # the merchant sent too many failed codes lately: checked nothing


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


class DeviceStatus(enum.StrEnum):
    active = "active"
    revoked = "revoked"  # unbound by its owner
    locked = "locked"  # too many failed codes: its owner binds a new device


@dataclass(frozen=True)
class DeviceRecord:
    """A device as its owner sees it (never the secret)."""

    number: int
    wallet_id: str
    created_at_ns: int
    revoked_at_ns: int | None = None
    locked_at_ns: int | None = None

    @property
    def status(self) -> DeviceStatus:
        if self.locked_at_ns is not None:
            return DeviceStatus.locked
        return DeviceStatus.active if self.revoked_at_ns is None else DeviceStatus.revoked


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
        """The device with this number, unless it is unknown, revoked or locked."""
        ...

    def devices_of(self, wallet_id: str) -> list[DeviceRecord]:
        """A wallet's devices in the order they were bound, whatever their status."""
        ...

    def lock(self, number: int, now_ns: int) -> bool:
        """Lock an active device; False if there is none with this number."""
        ...

    def record_failure(self, number: int, merchant_id: str, now_ns: int, since_ns: int) -> int:
        """Record a failed code; forget failures before `since_ns`; return how many the
        device number has had since then, this one included."""
        ...

    def merchant_failures(self, merchant_id: str, since_ns: int) -> int:
        """How many failed codes the merchant has sent since `since_ns`."""
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
    records: dict[int, DeviceRecord] = field(default_factory=dict)
    used: set[tuple[int, int]] = field(default_factory=set)
    failures: list[tuple[int, str, int]] = field(default_factory=list)  # number, merchant, at

    def bind(self, device: Device, now_ns: int) -> bool:
        if device.number in self.devices:
            return False
        self.devices[device.number] = device
        self.records[device.number] = DeviceRecord(device.number, device.wallet_id, now_ns)
        return True

    def device(self, number: int) -> Device | None:
        record = self.records.get(number)
        if record is None or record.status is not DeviceStatus.active:
            return None
        return self.devices[number]

    def devices_of(self, wallet_id: str) -> list[DeviceRecord]:
        return [r for r in self.records.values() if r.wallet_id == wallet_id]

    def lock(self, number: int, now_ns: int) -> bool:
        if self.device(number) is None:
            return False
        self.records[number] = replace(self.records[number], locked_at_ns=now_ns)
        return True

    def revoke(self, number: int, wallet_id: str, now_ns: int) -> bool:
        if self.device(number) is None or self.devices[number].wallet_id != wallet_id:
            return False
        self.records[number] = replace(self.records[number], revoked_at_ns=now_ns)
        return True

    def record_failure(self, number: int, merchant_id: str, now_ns: int, since_ns: int) -> int:
        self.failures = [f for f in self.failures if f[2] >= since_ns]
        self.failures.append((number, merchant_id, now_ns))
        return sum(1 for f in self.failures if f[0] == number)

    def merchant_failures(self, merchant_id: str, since_ns: int) -> int:
        return sum(1 for f in self.failures if f[1] == merchant_id and f[2] >= since_ns)

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

    def bind_new(self, wallet_id: str, token_bytes: Callable[[int], bytes], now_ns: int) -> Device:
        """Bind a new device to `wallet_id` under a random number not taken yet."""
        for _ in range(device_number_attempts):
            number = int.from_bytes(token_bytes(8), "big") % 10**device_number_digits
            device = new_device(number, wallet_id, token_bytes)
            if self.bind(device, now_ns):
                return device
        raise RuntimeError(f"no free device number in {device_number_attempts} attempts")

    def unbind(self, number: int) -> None:
        found = self.store.device(number)
        if found is not None:
            self.store.revoke(number, found.wallet_id, 0)

    def check(self, code: str, now_ns: int, merchant_id: str) -> CodeCheck:
        """Accept a code once; any other outcome names why. `merchant_id`: who sent it, whose
        failed codes are counted."""
        if (
            len(code) != CODE_DIGITS
            or not code.isascii()
            or not code.isdigit()
            or not code.startswith(CODE_PREFIX)
        ):
            return CodeCheck(CodeResult.malformed)
        since_ns = now_ns - code_failure_window_s * NS_PER_S
        if self.store.merchant_failures(merchant_id, since_ns) >= code_failures_per_merchant_max:
            return CodeCheck(CodeResult.attempts_exceeded)
        number = int(code[len(CODE_PREFIX) : len(CODE_PREFIX) + device_number_digits])
        given = code[-password_digits:]
        device = self.store.device(number)
        now_step = step_at(now_ns)
        self.store.forget_spent_before(now_step - spent_memory_steps + 1)
        # An unknown device is checked against a secret nobody holds, with the same work as a
        # real one, so that how long the answer takes does not tell which numbers exist.
        secret = _NO_DEVICE_SECRET if device is None else device.secret
        for age in range(recognised_steps):
            step = now_step - age
            if hmac.compare_digest(password(secret, step), given) and device is not None:
                if age >= accepted_steps:
                    return CodeCheck(CodeResult.expired, device)
                if not self.store.spend(number, step):
                    return CodeCheck(CodeResult.already_used, device)
                return CodeCheck(CodeResult.ok, device)
        failures = self.store.record_failure(number, merchant_id, now_ns, since_ns)
        if device is None:
            return CodeCheck(CodeResult.unknown_device)
        if failures >= code_failures_per_device_max:
            self.store.lock(number, now_ns)
        return CodeCheck(CodeResult.wrong, device)


# The secret an unknown device's codes are checked against, only to spend the same work: a
# code that matches it still fails, as there is no device.
_NO_DEVICE_SECRET = bytes(device_secret_bytes)
