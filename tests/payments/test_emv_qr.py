"""EMV merchant-presented QR codes: the book's sample, real schemes' shapes and their quirks."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from colony.cli.main import app
from colony.kernel.errors import InvalidInput
from colony.payments.emv_qr import (
    MerchantQr,
    QrFormatError,
    ScannedQr,
    crc16_ccitt_false,
    generate,
    parse,
    scanned,
    scanned_payloads_cached,
)

# The sample payload of the EMVCo MPM specification (note its own out-of-order field 54).
EMVCO_SAMPLE = (
    "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678"
    "520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京"
    "540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708"
    "123456786304A13A"
)


def tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def with_crc(body: str, lower: bool = False) -> str:
    body += "6304"
    crc = f"{crc16_ccitt_false(body.encode()):04X}"
    return body + (crc.lower() if lower else crc)


def test_crc_check_value() -> None:
    assert crc16_ccitt_false(b"123456789") == 0x29B1  # the catalogued check value


def test_emvco_sample() -> None:
    qr = parse(EMVCO_SAMPLE)
    assert qr.crc_valid
    assert qr.point_of_initiation == "dynamic"
    assert qr.transaction_amount == "23.72" and qr.transaction_currency == "156"
    assert qr.merchant_account_information["29"] == {
        "globally_unique_identifier": "D15600000000",
        "fields": {"05": "A93FO3230Q"},
    }
    assert qr.additional_data["terminal_label"] == "A6008667"
    assert qr.merchant_information_language["merchant_name_alternate_language"] == "最佳运输"
    assert qr.warnings == ["fields are not in ascending id order"]


PROMPTPAY = with_crc(
    tlv("00", "01")
    + tlv("01", "11")
    + tlv("29", tlv("00", "A000000677010111") + tlv("01", "0066812345678"))
    + tlv("53", "764")
    + tlv("58", "TH")
)
SGQR = with_crc(
    tlv("00", "01")
    + tlv("01", "12")
    + tlv("26", tlv("00", "SG.PAYNOW") + tlv("01", "2") + tlv("02", "201234567W"))
    + tlv("51", tlv("00", "SG.SGQR") + tlv("01", "180305000123"))
    + tlv("52", "5812")
    + tlv("53", "702")
    + tlv("54", "12.50")
    + tlv("58", "SG")
    + tlv("59", "HAWKER CHAN")
    + tlv("60", "Singapore")
)
QRIS_LOWER_CRC = with_crc(
    tlv("00", "01")
    + tlv("01", "11")
    + tlv("26", tlv("00", "ID.CO.QRIS.WWW") + tlv("01", "936009153000000123"))
    + tlv("51", tlv("00", "ID.CO.QRIS.WWW") + tlv("02", "ID1020012345678"))
    + tlv("52", "5499")
    + tlv("53", "360")
    + tlv("58", "ID")
    + tlv("59", "WARUNG SARI")
    + tlv("60", "JAKARTA PUSAT"),
    lower=True,
)
PIX_OUT_OF_ORDER = with_crc(
    tlv("00", "01")
    + tlv("26", tlv("00", "br.gov.bcb.pix") + tlv("01", "maria@example.com"))
    + tlv("52", "0000")
    + tlv("53", "986")
    + tlv("58", "BR")
    + tlv("59", "Maria Silva")
    + tlv("60", "SAO PAULO")
    + tlv("54", "10.00")
    + tlv("62", tlv("05", "***"))
)
VIETQR_LONG_NAME = with_crc(
    tlv("00", "01")
    + tlv("01", "12")
    + tlv("38", tlv("00", "A000000727") + tlv("01", tlv("00", "970436") + tlv("01", "0011001234")))
    + tlv("52", "5411")
    + tlv("53", "704")
    + tlv("54", "150000")
    + tlv("58", "VN")
    + tlv("59", "CONG TY TNHH THUONG MAI DICH VU ABC")
    + tlv("60", "HA NOI")
)
KHQR_FORMAT_02 = with_crc(
    tlv("00", "02")
    + tlv("01", "11")
    + tlv("29", tlv("00", "dara@bkrt") + tlv("01", "85512345678"))
    + tlv("52", "5999")
    + tlv("53", "116")
    + tlv("58", "KH")
    + tlv("59", "DARA SHOP")
    + tlv("60", "PHNOM PENH")
)


@pytest.mark.parametrize(
    ("payload", "warning", "check"),
    [
        (
            PROMPTPAY,
            "mandatory field 59 (merchant_name) is missing",
            lambda q: (
                q.merchant_account_information["29"]["globally_unique_identifier"]
                == "A000000677010111"
            ),
        ),
        (
            SGQR,
            None,
            lambda q: q.transaction_amount == "12.50" and "51" in q.merchant_account_information,
        ),
        (
            QRIS_LOWER_CRC,
            "CRC is written in lower-case hex",
            lambda q: q.transaction_currency == "360",
        ),
        (
            PIX_OUT_OF_ORDER,
            "fields are not in ascending id order",
            lambda q: q.additional_data == {"reference_label": "***"},
        ),
        (
            VIETQR_LONG_NAME,
            "field 59 is 35 characters, over its limit of 25",
            lambda q: q.merchant_name.startswith("CONG TY"),
        ),
        (
            KHQR_FORMAT_02,
            "payload format indicator is '02', not '01'",
            lambda q: q.merchant_city == "PHNOM PENH",
        ),
    ],
    ids=[
        "promptpay-no-name",
        "sgqr-paynow",
        "qris-lowercase-crc",
        "pix-out-of-order",
        "vietqr-long-name",
        "khqr-format-02",
    ],
)
def test_real_scheme_shapes_are_accepted_with_warnings(
    payload: str, warning: str | None, check: object
) -> None:
    qr = parse(payload)
    assert qr.crc_valid
    if warning is None:
        assert qr.warnings == []
    else:
        assert warning in qr.warnings
    assert check(qr)  # type: ignore[operator]


def test_a_lower_case_crc_with_letters_still_verifies() -> None:
    for n in range(100):  # find a code whose CRC has hex letters, then write it in lower case
        payload = with_crc(tlv("00", "01") + tlv("26", tlv("00", "a.b")) + tlv("59", f"SHOP {n}"))
        if any(c in "ABCDEF" for c in payload[-4:]):
            break
    lower = payload[:-4] + payload[-4:].lower()
    assert lower != payload
    qr = parse(lower)
    assert qr.crc_valid and "CRC is written in lower-case hex" in qr.warnings


@pytest.mark.parametrize("index", [10, 30, 60])
def test_any_changed_character_breaks_the_crc(index: int) -> None:
    changed = SGQR[:index] + ("X" if SGQR[index] != "X" else "Y") + SGQR[index + 1 :]
    try:
        qr = parse(changed)
    except QrFormatError:
        return  # the change broke the structure itself: refused outright, also right
    assert not qr.crc_valid


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        ("", "empty"),
        ("hello world", "2-digit id"),
        ("000201010211", "no CRC field"),
        ("0002010102", "says 2 characters, 0 left"),
        ("00020100020163041234", "appears twice"),
        ("0" * 600, "at most 512"),
        ("00\u00b2\u00b2abcd", "2-digit id"),  # superscript digits: isdigit() but not int()
        ("00020101\u0663\u0663ab", "2-digit id"),  # Arabic-Indic digits in a later field
    ],
)
def test_broken_structure_is_refused(payload: str, says: str) -> None:
    with pytest.raises(QrFormatError, match=says):
        parse(payload)


@given(
    amount=st.one_of(st.none(), st.from_regex(r"[1-9][0-9]{0,6}\.[0-9]{2}", fullmatch=True)),
    name=st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=25),
    reference=st.one_of(st.none(), st.from_regex(r"[A-Z0-9-]{1,20}", fullmatch=True)),
)
def test_generated_codes_parse_back(amount: str | None, name: str, reference: str | None) -> None:
    spec = MerchantQr(
        "org.colony", "M42", "5812", "978", "FI", name, "Rovaniemi", amount, reference
    )
    qr = parse(generate(spec))
    assert qr.crc_valid and qr.warnings == []
    assert qr.point_of_initiation == ("dynamic" if amount else "static")
    assert qr.transaction_amount == amount and qr.merchant_name == name
    assert qr.additional_data == ({"reference_label": reference} if reference else {})


def test_cli_decode_and_encode(tmp_path: object) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["qr", "decode", SGQR, "--json"])
    assert result.exit_code == 0
    fields = json.loads(result.stdout)
    assert fields["merchant_name"] == "HAWKER CHAN" and fields["crc_valid"] is True
    broken = SGQR[:-1] + ("0" if SGQR[-1] != "0" else "1")
    bad = runner.invoke(app, ["qr", "decode", broken, "--json"])
    assert bad.exit_code == 1 and "CRC does not match" in bad.stderr
    assert runner.invoke(app, ["qr", "decode", "nonsense"]).exit_code == 2
    png = f"{tmp_path}/code.png"
    made = runner.invoke(
        app,
        [
            "qr",
            "encode",
            "--merchant-id",
            "M1",
            "--name",
            "Gift Shop",
            "--city",
            "Rovaniemi",
            "--country",
            "FI",
            "--currency",
            "978",
            "--amount",
            "25.90",
            "--png",
            png,
        ],
    )
    assert made.exit_code == 0
    assert parse(made.stdout.strip()).transaction_amount == "25.90"
    with open(png, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


GOOD = MerchantQr("org.colony", "M1", "5812", "978", "FI", "Gift Shop", "Rovaniemi", "25.90")


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"amount": "0"}, "amount must be above zero"),
        ({"amount": "0.00"}, "amount must be above zero"),
        ({"amount": "25.905"}, "at most 2 decimals in EUR"),
        ({"amount": "1e3"}, "amount must be decimal text"),
        ({"amount": "²"}, "amount must be decimal text"),
        ({"currency_numeric": "999"}, "currency must be the ISO 4217 number"),  # no money: gold
        ({"currency_numeric": "97"}, "currency must be the ISO 4217 number"),
        ({"currency_numeric": "٩٧٨"}, "currency must be the ISO 4217 number"),
        ({"country_code": "ZZ"}, "country must be an ISO 3166 alpha-2 code"),
        ({"country_code": "fi"}, "country must be an ISO 3166 alpha-2 code"),
        ({"merchant_category_code": "581"}, "merchant category code must be 4 digits"),
        ({"merchant_name": ""}, "merchant name must be 1 to 25 characters"),
        ({"merchant_name": "x" * 26}, "merchant name must be 1 to 25 characters"),
        ({"merchant_city": "Rovaniemi-Napapiiri"}, "merchant city must be 1 to 15 characters"),
    ],
)
def test_a_code_no_payer_could_pay_is_refused_with_its_field_named(
    change: dict[str, str], named: str
) -> None:
    with pytest.raises(InvalidInput, match=named):
        generate(dataclasses.replace(GOOD, **change))
    assert parse(generate(GOOD)).crc_valid  # the same code unchanged is made


def test_cli_encode_names_the_wrong_field_and_writes_nothing(tmp_path: object) -> None:
    png = f"{tmp_path}/code.png"
    asked = ["qr", "encode", "--merchant-id", "M1", "--name", "Gift Shop", "--city", "Rovaniemi",
             "--country", "ZZ", "--currency", "978", "--amount", "0", "--png", png]  # fmt: skip
    refused = CliRunner().invoke(app, asked)
    assert refused.exit_code == 2
    assert "country must be an ISO 3166 alpha-2 code" in refused.stderr
    assert not Path(png).exists()


# A dynamic QRIS code as a large coffee chain prints it: additional data (62) holds, as its
# sub-field 50, a plain order reference where the specification expects a template.
QRIS_DYNAMIC_PLAIN_50 = with_crc(
    tlv("00", "01")
    + tlv("01", "12")
    + tlv("26", tlv("00", "ID.CO.QRIS.WWW") + tlv("01", "936009153000000123"))
    + tlv("52", "5814")
    + tlv("53", "360")
    + tlv("54", "57000")
    + tlv("58", "ID")
    + tlv("59", "KOPI KENANGAN")
    + tlv("60", "JAKARTA")
    + tlv("62", tlv("05", "ORD-8812") + tlv("50", "TRX20261202A77"))
)


def test_a_template_that_is_not_tlv_is_kept_raw_with_a_warning() -> None:
    qr = parse(QRIS_DYNAMIC_PLAIN_50)
    assert qr.crc_valid and qr.merchant_name == "KOPI KENANGAN"
    assert qr.additional_data == {
        "reference_label": "ORD-8812",
        "payment_system_specific_50": {"raw": "TRX20261202A77"},
    }
    assert qr.warnings == [
        "additional data 50: expected a 2-digit id and 2-digit length at 0; kept as it came"
    ]


@pytest.mark.parametrize(
    ("template", "where"),
    [
        (tlv("26", "0012abc"), "merchant_account_information"),
        (tlv("62", "not tlv at all"), "additional_data"),
        (tlv("80", "12"), "unreserved_templates"),
    ],
)
def test_any_broken_template_is_kept_raw_and_the_code_still_read(template: str, where: str) -> None:
    qr = parse(with_crc(tlv("00", "01") + template + tlv("53", "702") + tlv("58", "SG")))
    assert qr.crc_valid and qr.transaction_currency == "702"
    kept = getattr(qr, where)
    assert {"raw": template[4:]} in (kept, *kept.values())
    assert any(w.endswith("kept as it came") for w in qr.warnings)


def test_a_scanned_payload_is_parsed_once_and_shared_unchangeable() -> None:
    payload = generate(
        MerchantQr("com.colony", "m_1", "5812", "702", "SG", "Kopi", "Singapore", "4.50", "r-9")
    )
    first = scanned(payload)
    assert first == ScannedQr(True, "com.colony", "m_1", "702", "4.50", "r-9")
    assert scanned(payload) is first  # the same parse, kept for the exact payload
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.merchant_id = "m_2"  # type: ignore[misc]
    assert scanned(payload + " ") == first  # another string, parsed again: the same reading
    assert scanned.cache_info().maxsize == scanned_payloads_cached == 4_096


@pytest.mark.parametrize("payload", ["", "0002", "000201" + "6304", "00\u00b2\u00b2abcd"])
def test_a_payload_that_is_no_code_scans_as_none(payload: str) -> None:
    assert scanned(payload) is None


def test_a_scan_reads_what_the_parse_says() -> None:
    qr = parse(EMVCO_SAMPLE)
    read = scanned(EMVCO_SAMPLE)
    assert read is not None
    assert (read.crc_valid, read.transaction_currency, read.transaction_amount) == (
        qr.crc_valid,
        qr.transaction_currency,
        qr.transaction_amount,
    )
    assert (read.account_gui, read.merchant_id, read.reference_label) == (None, "", None)
