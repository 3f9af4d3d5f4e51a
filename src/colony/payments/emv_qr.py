"""EMVCo merchant-presented QR codes (EMV QRCPS-MPM): parse, check and generate.

A payload is a run of ID-length-value fields (two digits of ID, two of length, then the
value), some of them templates holding fields of their own. The last field is the CRC
(ID 63, length 04): CRC-16/CCITT-FALSE over everything before its value, "6304" included.

Codes printed by real schemes (PromptPay, SGQR, PayNow, QRIS, DuitNow, Pix, QR Ph, VietQR,
KHQR) do not all follow the book: fields out of order, optional fields missing, the CRC in
lower-case hex, a value longer than its limit, payload format "02". A wallet that refused them
would refuse real shops, so `parse` accepts them and says what it saw in `warnings`; a
template whose inside is not ID-length-value (a plain reference where a sub-template should
be) is kept as it came, `{"raw": ...}`, with a warning. What it never accepts is a broken
top level, or (for payment) a CRC that does not match: a wrong CRC means the code was
misread or tampered with.
"""

from __future__ import annotations

import binascii
import functools
import re
from dataclasses import dataclass, field

from colony.kernel.countries import iso_3166_alpha_2
from colony.kernel.errors import InvalidInput
from colony.kernel.money import currency_of_ledger, scale_of

# The longest payload EMVCo allows, in characters.
payload_chars_max = 512
# How many payloads `scanned` keeps parsed, the least recently scanned dropped first. A
# market's codes repeat (a shop's static code is scanned all day): 4,096 payloads of at most
# 512 characters hold about 2 MiB, and a payload never seen before costs one parse, as ever.
scanned_payloads_cached = 4_096

# Length limits from the MPM specification (characters).
_LIMITS = {
    "00": 2, "01": 2, "52": 4, "53": 3, "54": 13, "55": 2, "56": 13, "57": 5, "58": 2,
    "59": 25, "60": 15, "61": 10, "62": 99, "63": 4, "64": 99,
}  # fmt: skip


def amount_minor_max_on_a_code(currency: str) -> int:
    """The largest amount a code's field 54 holds in `currency`: 13 characters, the point
    and the decimals among them (SGD 9,999,999,999.99)."""
    scale = scale_of(currency)
    return int(10 ** (_LIMITS["54"] - (1 if scale else 0))) - 1


_TOP_LEVEL_NAMES = {
    "00": "payload_format_indicator",
    "01": "point_of_initiation",
    "52": "merchant_category_code",
    "53": "transaction_currency",
    "54": "transaction_amount",
    "55": "tip_or_convenience_indicator",
    "56": "value_of_convenience_fee_fixed",
    "57": "value_of_convenience_fee_percentage",
    "58": "country_code",
    "59": "merchant_name",
    "60": "merchant_city",
    "61": "postal_code",
    "63": "crc",
}
_ADDITIONAL_DATA_NAMES = {
    "01": "bill_number",
    "02": "mobile_number",
    "03": "store_label",
    "04": "loyalty_number",
    "05": "reference_label",
    "06": "customer_label",
    "07": "terminal_label",
    "08": "purpose_of_transaction",
    "09": "additional_consumer_data_request",
    "10": "merchant_tax_id",
    "11": "merchant_channel",
}
_LANGUAGE_NAMES = {
    "00": "language_preference",
    "01": "merchant_name_alternate_language",
    "02": "merchant_city_alternate_language",
}
_MANDATORY = ("00", "52", "53", "58", "59", "60", "63")
_AMOUNT = re.compile(r"[0-9]+(\.[0-9]*)?")
_MCC = re.compile(r"[0-9]{4}")
_NUMERIC = re.compile(r"[0-9]{3}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_NONZERO = re.compile(r"[1-9]")


class QrFormatError(InvalidInput):
    """The payload is not an EMV merchant-presented QR code at all."""


@dataclass
class DecodedQr:
    """A parsed payload. Field names are EMVCo's, in snake_case."""

    payload_format_indicator: str = ""
    point_of_initiation: str = ""  # "static" (11), "dynamic" (12), or the raw value
    merchant_account_information: dict[str, object] = field(default_factory=dict)
    merchant_category_code: str = ""
    transaction_currency: str = ""  # ISO 4217 numeric code, as written
    transaction_amount: str | None = None  # as written: never turned into a float
    tip_or_convenience_indicator: str | None = None
    value_of_convenience_fee_fixed: str | None = None
    value_of_convenience_fee_percentage: str | None = None
    country_code: str = ""
    merchant_name: str = ""
    merchant_city: str = ""
    postal_code: str | None = None
    additional_data: dict[str, object] = field(default_factory=dict)
    merchant_information_language: dict[str, str] = field(default_factory=dict)
    unreserved_templates: dict[str, object] = field(default_factory=dict)
    rfu: dict[str, str] = field(default_factory=dict)
    crc: str = ""
    crc_valid: bool = False
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no xor.

    `binascii.crc_hqx` is that CRC in C; bit by bit in Python it was a twentieth of the time
    the server spent on a payment."""
    return binascii.crc_hqx(data, 0xFFFF)


def _fields(text: str, where: str) -> list[tuple[str, str]]:
    """Split ID-length-value fields; a broken structure is an error, never a guess."""
    out = []
    i = 0
    while i < len(text):
        head = text[i : i + 4]
        # isdigit() alone takes other scripts' digits ("²", "٣") that int() then refuses.
        if len(head) < 4 or not (head.isascii() and head.isdigit()):
            raise QrFormatError(f"{where}: expected a 2-digit id and 2-digit length at {i}")
        tag, length = head[:2], int(head[2:])
        value = text[i + 4 : i + 4 + length]
        if len(value) != length:
            raise QrFormatError(f"{where}: field {tag} says {length} characters, {len(value)} left")
        out.append((tag, value))
        i += 4 + length
    return out


def parse(payload: str) -> DecodedQr:
    """Decode a merchant-presented payload. Raises QrFormatError only on broken structure;
    everything else (including a CRC mismatch) is reported in the result."""
    if not isinstance(payload, str) or not payload:
        raise QrFormatError("empty payload")
    payload = payload.strip()
    if len(payload) > payload_chars_max:
        raise QrFormatError(f"payload is {len(payload)} characters, at most {payload_chars_max}")
    fields = _fields(payload, "payload")
    qr = DecodedQr()
    seen: list[str] = []
    for tag, value in fields:
        if tag in seen:
            raise QrFormatError(f"field {tag} appears twice")
        seen.append(tag)
        _check_length(qr, tag, value)
        _assign(qr, tag, value)
    _check_shape(qr, seen, payload)
    return qr


@dataclass(frozen=True, slots=True)
class ScannedQr:
    """What a payment reads of a payload (`scanned`): immutable, so one parse is shared by
    every payment that scans the same code and none of them can change it for the others."""

    crc_valid: bool
    account_gui: str | None  # merchant account 26's globally unique identifier
    merchant_id: str  # merchant account 26's field 01, "" when absent
    transaction_currency: str
    transaction_amount: str | None
    reference_label: str | None


@functools.lru_cache(maxsize=scanned_payloads_cached)
def scanned(payload: str) -> ScannedQr | None:
    """The payload as a payment reads it, or None when it is not a code at all (`parse`
    raised QrFormatError). Kept for the exact payload string: parsing the same code for
    every payment was a twentieth of the server's time on one."""
    try:
        qr = parse(payload)
    except QrFormatError:
        return None
    account = qr.merchant_account_information.get("26")
    gui, merchant_id = None, ""
    if isinstance(account, dict):
        gui = account.get("globally_unique_identifier")
        merchant_id = str(account.get("fields", {}).get("01", ""))
    reference = qr.additional_data.get("reference_label")
    return ScannedQr(
        qr.crc_valid,
        gui if isinstance(gui, str) else None,
        merchant_id,
        qr.transaction_currency,
        qr.transaction_amount,
        reference if isinstance(reference, str) else None,
    )


def _check_length(qr: DecodedQr, tag: str, value: str) -> None:
    limit = _LIMITS.get(tag)
    if limit is not None and len(value) > limit:
        qr.warnings.append(f"field {tag} is {len(value)} characters, over its limit of {limit}")


def _assign(qr: DecodedQr, tag: str, value: str) -> None:
    number = int(tag)
    if tag == "01":
        qr.point_of_initiation = {"11": "static", "12": "dynamic"}.get(value, value)
    elif tag in _TOP_LEVEL_NAMES:
        setattr(qr, _TOP_LEVEL_NAMES[tag], value)
    elif 2 <= number <= 25:
        qr.merchant_account_information[tag] = value  # card-scheme ids, primitive
    elif 26 <= number <= 51:
        qr.merchant_account_information[tag] = _template(qr, value, f"merchant account {tag}")
    elif tag == "62":
        qr.additional_data = _named_template(qr, value, _ADDITIONAL_DATA_NAMES, "additional data")
    elif tag == "64":
        language = _named_template(qr, value, _LANGUAGE_NAMES, "language template")
        qr.merchant_information_language = {k: str(v) for k, v in language.items()}
    elif 80 <= number <= 99:
        qr.unreserved_templates[tag] = _template(qr, value, f"unreserved template {tag}")
    else:
        qr.rfu[tag] = value


def _inner_fields(qr: DecodedQr, value: str, where: str) -> list[tuple[str, str]] | None:
    """A template's fields, or None (with a warning) when it is not well-formed TLV.

    Real codes carry templates that are not: a dynamic QRIS code of a large coffee chain
    holds a plain reference in additional data 50. Only the top level and the CRC decide
    whether a code can be read at all; a template is the issuer's business, kept as it came.
    """
    try:
        return _fields(value, where)
    except QrFormatError as broken:
        qr.warnings.append(f"{broken}; kept as it came")
        return None


def _template(qr: DecodedQr, value: str, where: str) -> dict[str, object]:
    fields = _inner_fields(qr, value, where)
    if fields is None:
        return {"raw": value}
    inner = dict(fields)
    out: dict[str, object] = {}
    if "00" in inner:
        out["globally_unique_identifier"] = inner.pop("00")
    out["fields"] = inner
    return out


def _named_template(
    qr: DecodedQr, value: str, names: dict[str, str], where: str
) -> dict[str, object]:
    fields = _inner_fields(qr, value, where)
    if fields is None:
        return {"raw": value}
    out: dict[str, object] = {}
    for tag, inner in fields:
        number = int(tag)
        if tag in names:
            out[names[tag]] = inner
        elif 50 <= number <= 99:
            out[f"payment_system_specific_{tag}"] = _template(qr, inner, f"{where} {tag}")
        else:
            out[f"rfu_{tag}"] = inner
    return out


def _check_shape(qr: DecodedQr, seen: list[str], payload: str) -> None:
    if seen[0] != "00":
        qr.warnings.append("payload format indicator (00) is not the first field")
    if qr.payload_format_indicator not in ("01", ""):
        qr.warnings.append(f"payload format indicator is {qr.payload_format_indicator!r}, not '01'")
    for tag in _MANDATORY:
        if tag not in seen:
            if tag == "63":
                raise QrFormatError("no CRC field (63): cannot tell a good read from a bad one")
            qr.warnings.append(f"mandatory field {tag} ({_TOP_LEVEL_NAMES[tag]}) is missing")
    if not any(2 <= int(t) <= 51 for t in seen):
        qr.warnings.append("no merchant account information (02-51)")
    order = [t for t in seen if t != "63"]
    if order != sorted(order):
        qr.warnings.append("fields are not in ascending id order")
    if seen[-1] != "63":
        qr.warnings.append("the CRC (63) is not the last field")
    if qr.transaction_amount is not None and not _AMOUNT.fullmatch(qr.transaction_amount):
        qr.warnings.append(f"transaction amount {qr.transaction_amount!r} is not a plain decimal")
    _check_crc(qr, payload)


def _check_crc(qr: DecodedQr, payload: str) -> None:
    if len(qr.crc) != 4 or any(c not in "0123456789abcdefABCDEF" for c in qr.crc):
        qr.warnings.append(f"CRC {qr.crc!r} is not 4 hex digits")
        return
    if qr.crc != qr.crc.upper():
        qr.warnings.append("CRC is written in lower-case hex")
    # The CRC covers everything up to and including "6304", wherever the field stands.
    at = payload.rfind("6304" + qr.crc)
    covered = payload[: at + 4].encode("utf-8")
    qr.crc_valid = crc16_ccitt_false(covered) == int(qr.crc, 16)


@dataclass(frozen=True)
class MerchantQr:
    """What Colony prints on a merchant's code."""

    merchant_account_gui: str  # the scheme's globally unique identifier, e.g. a reverse domain
    merchant_id: str
    merchant_category_code: str
    currency_numeric: str
    country_code: str
    merchant_name: str
    merchant_city: str
    amount: str | None = None  # a dynamic code carries the amount, as decimal text
    reference: str | None = None  # and the order reference (additional data 05)


def generate(spec: MerchantQr) -> str:
    """A payload: static when it has no amount, dynamic when it does. Every field is checked
    against what a payer's app must be able to read (InvalidInput names the first wrong)."""
    _check(spec)
    account = _tlv("00", spec.merchant_account_gui) + _tlv("01", spec.merchant_id)
    parts = [
        _tlv("00", "01"),
        _tlv("01", "12" if spec.amount is not None else "11"),
        _tlv("26", account),
        _tlv("52", spec.merchant_category_code),
        _tlv("53", spec.currency_numeric),
    ]
    if spec.amount is not None:
        parts.append(_tlv("54", spec.amount))
    parts += [
        _tlv("58", spec.country_code),
        _tlv("59", spec.merchant_name),
        _tlv("60", spec.merchant_city),
    ]
    if spec.reference is not None:
        parts.append(_tlv("62", _tlv("05", spec.reference)))
    body = "".join(parts) + "6304"
    return body + f"{crc16_ccitt_false(body.encode('utf-8')):04X}"


def _check(spec: MerchantQr) -> None:
    """Refuse a code no payer's app could pay: EMV's fixed formats, ISO 4217 and ISO 3166
    codes Colony's own tables know, an amount above zero in the currency's minor units, and
    names that fit (never cut short: a code must say what its merchant said)."""
    if not _MCC.fullmatch(spec.merchant_category_code):
        raise InvalidInput(
            f"merchant category code must be 4 digits: {spec.merchant_category_code!r}"
        )
    numeric = spec.currency_numeric
    currency = currency_of_ledger(int(numeric)) if _NUMERIC.fullmatch(numeric) else None
    if currency is None:
        raise InvalidInput(
            f"currency must be the ISO 4217 number of a currency with minor units, such as"
            f" 978: {numeric!r}"
        )
    country = spec.country_code
    if not _COUNTRY.fullmatch(country) or not iso_3166_alpha_2(country):
        raise InvalidInput(f"country must be an ISO 3166 alpha-2 code, such as SG: {country!r}")
    for tag, what, text in (("59", "name", spec.merchant_name), ("60", "city", spec.merchant_city)):
        if not 0 < len(text) <= _LIMITS[tag]:
            raise InvalidInput(f"merchant {what} must be 1 to {_LIMITS[tag]} characters: {text!r}")
    amount = spec.amount
    if amount is not None:
        if not _AMOUNT.fullmatch(amount) or len(amount) > _LIMITS["54"]:
            raise InvalidInput(f"amount must be decimal text of at most 13 characters: {amount!r}")
        decimals = len(amount.partition(".")[2])
        if not _NONZERO.search(amount) or decimals > scale_of(currency):
            raise InvalidInput(
                f"amount must be above zero, with at most {scale_of(currency)} decimals in"
                f" {currency}: {amount!r}"
            )


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise InvalidInput(f"field {tag} would be {len(value)} characters; at most 99")
    return f"{tag}{len(value):02d}{value}"
