"""The operator console over real HTTP on loopback, without script: signing in with a
password and a TOTP code, finding a wallet, freezing it (its holder is signed out and cannot
send) and unfreezing it, what each role may do, the SMS outbox and the audit log."""

from __future__ import annotations

import httpx
import pytest

from colony.api.context import ApiContext
from colony.credentials import attempts_max
from colony.kernel.clock import NS_PER_S, ManualClock
from colony.phones import PhoneProofService, ProofResult, Purpose
from colony.staff import AuditAction, Role, StaffMember, StaffService, audit_page_entries, totp
from colony.staff import totp_step_s as step_s
from tests.web.visitor import Visitor, code_sent_to, signed_up, visitor_for, words

Served = tuple[httpx.Client, ApiContext, ManualClock]
PASSWORD = "a long staff password"
MEI, ALI = "+6581230001", "+6581230002"
PIN = "482915"


_visitor = visitor_for


def _staff(ctx: ApiContext, role: Role = Role.operations, email: str = "") -> StaffMember:
    email = email or f"{role.value}@colony.example"
    _, member = ctx.service(StaffService).create(email, f"{role.value} person", role, PASSWORD)
    assert member is not None
    return member


def _code(clock: ManualClock, member: StaffMember) -> str:
    return totp.code_at(member.totp_secret, clock.now_ns() // NS_PER_S)


def _signed_in(api: httpx.Client, clock: ManualClock, member: StaffMember) -> Visitor:
    """A staff member signed in to the console (the clock moved to a fresh code's step)."""
    clock.advance(step_s)
    staff = _visitor(api)
    proved = staff.post("/console/signin", {"email": member.email, "password": PASSWORD})
    assert proved.headers.get("location") == "/console/signin/totp", proved.text[:500]
    coded = staff.post("/console/signin/totp", {"code": _code(clock, member)})
    assert coded.headers.get("location") == "/console", coded.text[:500]
    return staff


def _actions(ctx: ApiContext) -> list[AuditAction]:
    """What staff did, oldest first, without their reads of people's data."""
    entries = reversed(ctx.service(StaffService).audit(None, 500))
    return [e.action for e in entries if e.action is not AuditAction.personal_data_viewed]


def _views(ctx: ApiContext) -> list[tuple[str, str, str | int]]:
    entries = reversed(ctx.service(StaffService).audit(None, 500))
    return [(e.staff_id, e.target, e.detail["page"]) for e in entries
            if e.action is AuditAction.personal_data_viewed]  # fmt: skip


def test_sign_in_takes_the_password_then_a_code(served_at: Served) -> None:
    api, ctx, clock = served_at
    member = _staff(ctx)
    staff = _signed_in(api, clock, member)
    home = staff.text("/console")
    assert "Welcome, operations person" in home
    assert "Freeze and unfreeze wallets" in home and "Read the SMS and email outboxes" in home
    assert staff.get("/console/signin").headers.get("location") == "/console"
    assert _actions(ctx) == [AuditAction.staff_created, AuditAction.sign_in]


def test_a_wrong_or_reused_code_is_refused(served_at: Served) -> None:
    api, ctx, clock = served_at
    member = _staff(ctx)
    first = _signed_in(api, clock, member)
    assert first.get("/console").status_code == 200
    again = _visitor(api)
    again.post("/console/signin", {"email": member.email, "password": PASSWORD})
    reused = again.post("/console/signin/totp", {"code": _code(clock, member)})
    assert reused.status_code == 400 and "used already" in words(reused.text)
    wrong = f"{(int(_code(clock, member)) + 1) % 1_000_000:06d}"
    refused = again.post("/console/signin/totp", {"code": wrong})
    assert refused.status_code == 400 and "That code is wrong" in words(refused.text)
    assert again.get("/console").headers.get("location") == "/console/signin"
    clock.advance(step_s)
    assert again.post("/console/signin/totp", {"code": _code(clock, member)}).status_code == 303
    assert again.get("/console").status_code == 200


@pytest.mark.parametrize("email", ["operations@colony.example", "nobody@colony.example"])
def test_a_wrong_password_and_an_unknown_email_read_the_same(served_at: Served, email: str) -> None:
    api, ctx, _ = served_at
    _staff(ctx)
    answer = _visitor(api).post("/console/signin", {"email": email, "password": "not it at all"})
    assert answer.status_code == 400
    assert "That email and password do not match." in words(answer.text)
    assert _actions(ctx)[-1] is AuditAction.sign_in_failed


def test_wrong_passwords_and_an_unknown_email_lock_the_same(served_at: Served) -> None:
    """Seven wrong tries at a member's email and at nobody's: the same answers, the same
    words, locked from the fifth try on for 15 minutes."""
    api, ctx, _ = served_at
    _staff(ctx)
    seen = {}
    for email in ("operations@colony.example", "nobody@colony.example"):
        visitor = _visitor(api)
        answers = [
            visitor.post("/console/signin", {"email": email, "password": "not it at all"})
            for _ in range(attempts_max + 2)
        ]
        seen[email] = [(a.status_code, _alert(a.text)) for a in answers]
    wrong = (400, "That email and password do not match.")
    locked = (429, "Too many wrong tries: try again in 15 min.")
    assert (
        seen["nobody@colony.example"]
        == seen["operations@colony.example"]
        == ([wrong] * (attempts_max - 1) + [locked] * 3)
    )


def _alert(page: str) -> str:
    return words(page.split('role="alert">', 1)[1].split("</p>", 1)[0])


CONSOLE_PAGES = [
    "/console", "/console/wallets", "/console/wallets?q=%2B6581230001",
    "/console/wallets/wal_00000000000000000000000000000000", "/console/sms", "/console/email",
    "/console/audit", "/console/signin/totp",
]  # fmt: skip


@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_a_stranger_is_sent_to_sign_in_from_every_console_page(
    served_at: Served, path: str
) -> None:
    api, _, _ = served_at
    answer = _visitor(api).get(path)
    assert (answer.status_code, answer.headers.get("location")) == (303, "/console/signin")


def test_a_stranger_cannot_freeze(served_at: Served) -> None:
    api, ctx, _ = served_at
    signed_up(_visitor(api), api, MEI)
    wallet = ctx.wallet_store.by_phone(MEI, "SGD")
    assert wallet is not None
    stranger = _visitor(api)
    answer = stranger.post(
        f"/console/wallets/{wallet.id}/freeze", {"reason": "x"}, form_at="/console/signin"
    )
    assert (answer.status_code, answer.headers.get("location")) == (303, "/console/signin")
    assert not ctx.wallets.is_frozen(wallet.id)


def test_an_app_session_is_not_a_console_session(served_at: Served) -> None:
    api, _, _ = served_at
    mei = _visitor(api)
    signed_up(mei, api, MEI)
    assert mei.get("/console").headers.get("location") == "/console/signin"


def _app_signed_in(visitor: Visitor, api: httpx.Client, phone: str) -> None:
    visitor.post("/app/signin", {"phone": phone})
    visitor.post("/app/signin/code", {"code": code_sent_to(api, phone)})
    assert visitor.post("/app/signin/pin", {"pin": PIN}).headers.get("location") == "/app"


def _send(visitor: Visitor, to_phone: str, amount: str) -> httpx.Response:
    return visitor.post("/app/send", {"to_phone": to_phone, "amount": amount, "pin": PIN})


def test_find_freeze_and_unfreeze_a_wallet(served_at: Served) -> None:
    api, ctx, clock = served_at
    mei = _visitor(api)
    signed_up(mei, api, MEI, pin=PIN)
    signed_up(_visitor(api), api, ALI, name="Ali Rahman", pin="590314")
    assert ctx.wallets.cash_in(MEI, "SGD", 5_000).result.name == "ok"
    wallet = ctx.wallet_store.by_phone(MEI, "SGD")
    assert wallet is not None
    staff = _signed_in(api, clock, _staff(ctx, Role.risk))

    found = staff.get("/console/wallets?q=%2B65+8123+0001")  # typed with spaces
    assert found.headers.get("location") == f"/console/wallets/{wallet.id}"
    page = staff.text(f"/console/wallets/{wallet.id}")
    assert "Mei Tan" in page and MEI in page and "SGD 50.01" in page and "Status active" in page
    assert "opening_deposit" in page
    by_id = staff.get(f"/console/wallets?q={wallet.id}")
    assert by_id.headers.get("location") == f"/console/wallets/{wallet.id}"

    shown = f"/console/wallets/{wallet.id}"
    blank = staff.post(f"{shown}/freeze", {"reason": "  "}, form_at=shown)
    assert blank.status_code == 400 and "Give a reason" in words(blank.text)
    assert not ctx.wallets.is_frozen(wallet.id)
    frozen = staff.post(f"{shown}/freeze", {"reason": "reported stolen"}, form_at=shown)
    assert frozen.headers.get("location") == f"/console/wallets/{wallet.id}"
    page = staff.text(f"/console/wallets/{wallet.id}")
    assert "Status frozen" in page and "Why reported stolen" in page

    # The holder was signed out; signed in again, they still cannot send.
    assert mei.get("/app").headers.get("location") == "/app/signin"
    _app_signed_in(mei, api, MEI)
    assert "Balance SGD 50.01" in mei.text("/app")  # still read
    refused = _send(mei, ALI, "10.00")
    assert refused.status_code == 400 and "This wallet is frozen" in words(refused.text)
    assert ctx.wallets.balances(wallet) == (5_001, 5_001)  # nothing moved

    lifted = staff.post(f"{shown}/unfreeze", {"reason": "phone found"}, form_at=shown)
    assert lifted.status_code == 303
    assert _send(mei, ALI, "10.00").status_code == 303
    assert ctx.wallets.balance(wallet) == 4_001

    log = staff.text("/console/audit")
    assert "wallet_frozen" in log and "reported stolen" in log and "sessions_ended=1" in log
    assert "wallet_unfrozen" in log and "phone found" in log
    assert log.index("wallet_unfrozen") < log.index("wallet_frozen")  # newest first
    assert _actions(ctx)[-2:] == [AuditAction.wallet_frozen, AuditAction.wallet_unfrozen]


def test_an_unknown_number_is_said_so(served_at: Served) -> None:
    api, ctx, clock = served_at
    staff = _signed_in(api, clock, _staff(ctx))
    answer = staff.get("/console/wallets?q=%2B6500000000")
    assert answer.status_code == 404 and "No wallet has that number or id." in words(answer.text)


def test_a_read_only_member_reads_but_is_refused_403_on_freezing(served_at: Served) -> None:
    api, ctx, clock = served_at
    signed_up(_visitor(api), api, MEI)
    wallet = ctx.wallet_store.by_phone(MEI, "SGD")
    assert wallet is not None
    reader = _signed_in(api, clock, _staff(ctx, Role.read_only))
    page = reader.text(f"/console/wallets/{wallet.id}")
    assert "Your role may not freeze or unfreeze wallets." in page
    before = _actions(ctx)
    refused = reader.post(
        f"/console/wallets/{wallet.id}/freeze", {"reason": "curious"},
        form_at=f"/console/wallets/{wallet.id}",
    )  # fmt: skip
    assert refused.status_code == 403
    assert "Your role (Read only) may not do this. Nothing was changed." in words(refused.text)
    assert not ctx.wallets.is_frozen(wallet.id)
    assert _actions(ctx) == before  # nothing written
    assert reader.get("/console/sms").status_code == 403  # texts hold live codes
    assert reader.get("/console/email").status_code == 403  # and so does mail
    assert reader.get("/console/audit").status_code == 200


def test_the_sms_outbox_shows_the_codes_newest_first_by_number(served_at: Served) -> None:
    api, ctx, clock = served_at
    signed_up(_visitor(api), api, MEI)
    signed_up(_visitor(api), api, ALI, name="Ali Rahman")
    staff = _signed_in(api, clock, _staff(ctx, Role.support))
    everyone = staff.text("/console/sms")
    assert everyone.index(ALI) < everyone.index(MEI)
    only_mei = staff.text("/console/sms?phone=%2B65+8123+0001")
    assert f"{code_sent_to(api, MEI)} is your Colony code" in only_mei
    assert ALI not in only_mei
    assert staff.get("/console/sms?before=nonsense").status_code == 400


def test_every_read_of_a_persons_data_is_in_the_audit_log(served_at: Served) -> None:
    api, ctx, clock = served_at
    signed_up(_visitor(api), api, MEI)
    wallet = ctx.wallet_store.by_phone(MEI, "SGD")
    assert wallet is not None
    member = _staff(ctx, Role.support)
    staff = _signed_in(api, clock, member)
    staff.text(f"/console/wallets/{wallet.id}")
    staff.text("/console/sms?phone=%2B65+8123+0001")
    staff.text("/console/email")
    assert _views(ctx) == [
        (member.id, wallet.id, "wallet"), (member.id, MEI, "sms_outbox"),
        (member.id, "*", "email_outbox"),
    ]  # fmt: skip
    assert ctx.service(StaffService).verify_audit().intact


def test_the_email_outbox_shows_mailed_codes_by_address(served_at: Served) -> None:
    api, ctx, clock = served_at
    proofs = ctx.service(PhoneProofService)
    for address in ("siti@hawker.example", "lee@hawker.example"):
        assert proofs.start_email(address, Purpose.merchant_sign_in)[0] is ProofResult.ok
    staff = _signed_in(api, clock, _staff(ctx, Role.support))
    everyone = words(staff.text("/console/email"))
    assert everyone.index("lee@hawker.example") < everyone.index("siti@hawker.example")
    only_siti = words(staff.text("/console/email?address=Siti%40Hawker.example"))
    code = proofs.email_outbox(None, 1, "siti@hawker.example")[0].text[:6]
    assert f"{code} is your Colony code" in only_siti and "lee@" not in only_siti
    assert staff.get("/console/email?before=sms_nonsense").status_code == 400


def test_the_audit_log_pages_by_id(served_at: Served) -> None:
    api, ctx, clock = served_at
    member = _staff(ctx)
    for n in range(audit_page_entries + 5):
        ctx.service(StaffService).record(member.id, AuditAction.sign_out, f"target-{n:03d}", "")
    staff = _signed_in(api, clock, member)
    first = staff.get("/console/audit")
    # Newest first: the sign-in, then target-054 down to target-006 fill the first page.
    assert first.status_code == 200 and "target-006" in first.text
    assert "target-005" not in first.text and "Older entries" in first.text
    link = first.text.split('href="/console/audit?before=')[1].split('"')[0]
    second = staff.text(f"/console/audit?before={link}")
    assert "target-005" in second and "target-006" not in second
    assert "staff_created" in second and "Older entries" not in second
    assert staff.get("/console/audit?before=aud_x").status_code == 400


def test_sign_out_ends_the_session_and_is_logged(served_at: Served) -> None:
    api, ctx, clock = served_at
    staff = _signed_in(api, clock, _staff(ctx))
    out = staff.post("/console/signout", {}, form_at="/console")
    assert out.headers.get("location") == "/console/signin"
    assert staff.get("/console").headers.get("location") == "/console/signin"
    assert _actions(ctx)[-1] is AuditAction.sign_out
