"""The console's staff pages over real HTTP on loopback, without script: an admin adds a
member, who uses the one-time set-up link (a password, the app's key, a code) and is signed
in; roles changed, members disabled (out at once, and refused at sign-in) and enabled, TOTP
reset; no other role may; a forged form is refused; the last admin is kept."""

from __future__ import annotations

import re

import httpx
import pytest

from colony.api.context import ApiContext
from colony.kernel.clock import NS_PER_S, ManualClock
from colony.staff import (
    AuditAction,
    Role,
    StaffMember,
    StaffService,
    setup_link_ttl_s,
    staff_page_rows,
    totp,
)
from colony.staff import totp_step_s as step_s
from tests.web.test_console_pages import PASSWORD, _signed_in, _staff
from tests.web.visitor import Visitor, visitor_for, words

Served = tuple[httpx.Client, ApiContext, ManualClock]
NEW_PASSWORD = "my own long password"
_LINK = re.compile(r"https?://[^/\"]+/console/setup/([0-9a-f]{64})")
_KEY = re.compile(r'data-testid="totp-key">([A-Z2-7 ]+)<')


def _admin(ctx: ApiContext, email: str = "ada@colony.example") -> StaffMember:
    return _staff(ctx, Role.admin, email)


def _actions(ctx: ApiContext) -> list[AuditAction]:
    return [e.action for e in reversed(ctx.service(StaffService).audit(None, 500))]


def _changes(ctx: ApiContext) -> list[AuditAction]:
    """The log without failed sign-ins."""
    return [a for a in _actions(ctx) if a is not AuditAction.sign_in_failed]


def _member(ctx: ApiContext, staff_id: str) -> StaffMember:
    found = ctx.service(StaffService).by_id(staff_id)
    assert found is not None
    return found


def _add(admin: Visitor, email: str, role: str = "read_only") -> tuple[str, str]:
    """The admin adds a member: their id and set-up link's token, from the page shown once."""
    shown = admin.post("/console/staff/new", {"email": email, "name": "Nia Newcomer", "role": role})
    assert shown.status_code == 200, shown.text[:500]
    token = _LINK.search(shown.text)
    assert token is not None, shown.text[:2000]
    staff_id = re.search(r'href="/console/staff/(stf_[0-9a-f]{32})"', shown.text)
    assert staff_id is not None
    return staff_id.group(1), token.group(1)


def _set_up(api: httpx.Client, clock: ManualClock, token: str, password: str) -> Visitor:
    """The member opens their link, reads the key, and finishes with a code from it."""
    member = visitor_for(api)
    page = member.get(f"/console/setup/{token}")
    assert page.status_code == 200, page.text[:500]
    assert 'src="data:image/svg+xml;base64,' in page.text  # the key as a QR code
    key = _KEY.search(page.text)
    assert key is not None
    code = totp.code_at(key.group(1).replace(" ", ""), clock.now_ns() // NS_PER_S)
    fields = {"password": password, "password_again": password, "code": code}
    done = member.post(f"/console/setup/{token}", fields)
    assert done.headers.get("location") == "/console", done.text[:1000]
    return member


def test_an_admin_adds_a_member_who_sets_up_and_signs_in(served_at: Served) -> None:
    api, ctx, clock = served_at
    admin = _signed_in(api, clock, _admin(ctx))
    assert "Add staff, change their roles, disable them, reset their TOTP" in admin.text("/console")
    assert 'href="/console/staff"' in admin.get("/console").text
    bad = admin.post("/console/staff/new", {"email": "nia", "name": "Nia", "role": "risk"})
    assert bad.status_code == 400 and "Type an email address" in words(bad.text)
    staff_id, token = _add(admin, "nia@colony.example")
    listed = admin.text("/console/staff")
    assert "nia@colony.example" in listed and "set-up link not used yet" in listed
    taken = admin.post(
        "/console/staff/new", {"email": "NIA@colony.example", "name": "N", "role": "risk"}
    )
    assert taken.status_code == 409 and "A staff member has that email already." in words(
        taken.text
    )
    # Before the link is used, the member cannot sign in.
    early = visitor_for(api).post(
        "/console/signin", {"email": "nia@colony.example", "password": NEW_PASSWORD}
    )
    assert early.status_code == 400

    member = visitor_for(api)
    page = f"/console/setup/{token}"
    shown = member.text(page)
    assert "Welcome, Nia Newcomer" in shown and "Choose your password" in shown
    differ = member.post(page, {"password": NEW_PASSWORD, "password_again": "x" * 12, "code": "1"})
    assert differ.status_code == 400 and "The two passwords differ" in words(differ.text)
    wrong = member.post(
        page, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD, "code": "000000"}
    )
    assert wrong.status_code == 400 and "That code is wrong" in words(wrong.text)
    member = _set_up(api, clock, token, NEW_PASSWORD)
    assert "Welcome, Nia Newcomer" in member.text("/console")
    assert member.get("/console/staff").status_code == 403  # read only
    spent = visitor_for(api).get(page)
    assert spent.status_code == 404 and "it was used already" in words(spent.text)
    assert _member(ctx, staff_id).role is Role.read_only
    assert _changes(ctx)[-3:] == [
        AuditAction.staff_created, AuditAction.staff_set_up, AuditAction.sign_in,
    ]  # fmt: skip


def test_the_same_add_form_sent_twice_adds_one_member(served_at: Served) -> None:
    api, ctx, clock = served_at
    admin = _signed_in(api, clock, _admin(ctx))
    form = admin.get("/console/staff/new")
    hidden = dict(re.findall(r'name="(csrf|op)" value="([0-9a-f]+)"', form.text))
    fields = hidden | {"email": "bo@colony.example", "name": "Bo", "role": "risk"}
    first = admin.client.post("/console/staff/new", data=fields)
    assert first.status_code == 200 and _LINK.search(first.text)
    again = admin.client.post("/console/staff/new", data=fields)
    assert again.status_code == 303 and again.headers["location"].startswith("/console/staff/stf_")
    assert _actions(ctx).count(AuditAction.staff_created) == 2  # the admin, and Bo once


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.admin])
def test_no_other_role_may_manage_staff(served_at: Served, role: Role) -> None:
    api, ctx, clock = served_at
    admin = _admin(ctx)
    other = _signed_in(api, clock, _staff(ctx, role))
    assert 'href="/console/staff"' not in other.get("/console").text
    for path in ("/console/staff", "/console/staff/new", f"/console/staff/{admin.id}"):
        assert other.get(path).status_code == 403, path
    before = _actions(ctx)
    fields = {"email": "x@colony.example", "name": "X", "role": "admin", "op": "ab" * 16}
    refused = other.post("/console/staff/new", fields, form_at="/console")
    assert refused.status_code == 403
    assert "may not do this. Nothing was changed." in words(refused.text)
    for action in ("role", "disable", "totp"):
        answer = other.post(
            f"/console/staff/{admin.id}/{action}", {"role": "read_only", "reason": "x"},
            form_at="/console",
        )  # fmt: skip
        assert answer.status_code == 403, action
    assert (
        _actions(ctx) == before and ctx.service(StaffService).by_email("x@colony.example") is None
    )
    assert _member(ctx, admin.id) == admin


def test_a_stranger_is_sent_to_sign_in_and_a_forged_form_is_refused(served_at: Served) -> None:
    api, ctx, clock = served_at
    target = _staff(ctx, Role.support)
    for path in ("/console/staff", "/console/staff/new", f"/console/staff/{target.id}"):
        answer = visitor_for(api).get(path)
        assert (answer.status_code, answer.headers.get("location")) == (303, "/console/signin")
    admin = _signed_in(api, clock, _admin(ctx))
    before = _actions(ctx)
    for action in ("role", "disable", "totp"):
        forged = admin.client.post(
            f"/console/staff/{target.id}/{action}",
            data={"csrf": "0" * 64, "role": "admin", "reason": "from another site"},
        )
        assert forged.status_code == 403 and "did not come from Colony" in forged.text
    no_token = admin.client.post("/console/staff/new", data={"email": "z@colony.example"})
    assert no_token.status_code == 403
    assert _member(ctx, target.id) == target and _actions(ctx) == before


def test_a_role_changes_with_a_reason_and_counts_from_the_next_click(served_at: Served) -> None:
    api, ctx, clock = served_at
    admin = _signed_in(api, clock, _admin(ctx))
    reader = _staff(ctx, Role.read_only)
    signed_in_reader = _signed_in(api, clock, reader)
    assert signed_in_reader.get("/console/sms").status_code == 403
    page = f"/console/staff/{reader.id}"
    blank = admin.post(f"{page}/role", {"role": "support", "reason": " "}, form_at=page)
    assert blank.status_code == 400 and "Give a reason (up to 500 characters)" in words(blank.text)
    same = admin.post(f"{page}/role", {"role": "read_only", "reason": "x"}, form_at=page)
    assert same.status_code == 409 and "They have that role already." in words(same.text)
    moved = admin.post(f"{page}/role", {"role": "support", "reason": "joins support"}, form_at=page)
    assert moved.headers.get("location") == page
    assert "Role Support" in admin.text(page)
    assert signed_in_reader.get("/console/sms").status_code == 200
    log = admin.text("/console/audit")
    assert "staff_role_changed" in log and "joins support" in log and "now=support" in log


def test_the_last_admin_is_kept_and_an_admin_cannot_disable_themselves(
    served_at: Served,
) -> None:
    api, ctx, clock = served_at
    ada = _admin(ctx)
    admin = _signed_in(api, clock, ada)
    page = f"/console/staff/{ada.id}"
    shown = admin.text(page)
    assert "You cannot disable your own account: ask another admin." in shown
    demoted = admin.post(f"{page}/role", {"role": "operations", "reason": "x"}, form_at=page)
    assert demoted.status_code == 409
    assert "That would leave no active admin" in words(demoted.text)
    disabled = admin.post(f"{page}/disable", {"reason": "leaving"}, form_at=page)
    assert disabled.status_code == 409
    assert "You cannot disable your own account" in words(disabled.text)
    reset = admin.post(f"{page}/totp", {"reason": "new phone"}, form_at=page)
    assert reset.status_code == 409 and "You cannot reset your own TOTP" in words(reset.text)
    assert _member(ctx, ada.id) == ada
    assert AuditAction.staff_role_changed not in _actions(ctx)
    # With a second admin, Ada may hand hers over.
    bo = _admin(ctx, "bo@colony.example")
    assert admin.post(f"{page}/role", {"role": "operations", "reason": "hand over"}, form_at=page)
    assert _member(ctx, ada.id).role is Role.operations
    assert admin.get(page).status_code == 403  # no longer an admin, from this click
    assert _member(ctx, bo.id).role is Role.admin


def test_a_disabled_member_is_out_at_once_and_cannot_sign_in(served_at: Served) -> None:
    api, ctx, clock = served_at
    admin = _signed_in(api, clock, _admin(ctx))
    sam = _staff(ctx, Role.support)
    signed_in_sam = _signed_in(api, clock, sam)
    page = f"/console/staff/{sam.id}"
    blank = admin.post(f"{page}/disable", {"reason": ""}, form_at=page)
    assert blank.status_code == 400 and _member(ctx, sam.id).active
    out = admin.post(f"{page}/disable", {"reason": "left the company"}, form_at=page)
    assert out.headers.get("location") == page
    assert "Status disabled" in admin.text(page)
    assert signed_in_sam.get("/console").headers.get("location") == "/console/signin"
    refused = visitor_for(api).post("/console/signin", {"email": sam.email, "password": PASSWORD})
    assert refused.status_code == 400
    assert "That email and password do not match." in words(refused.text)
    log = admin.text("/console/audit")
    assert "staff_disabled" in log and "left the company" in log and "sessions_ended=1" in log
    back = admin.post(f"{page}/enable", {"reason": "came back"}, form_at=page)
    assert back.headers.get("location") == page
    assert _signed_in(api, clock, sam).get("/console").status_code == 200


def test_a_reset_totp_signs_them_out_and_a_new_link_sets_it_up(served_at: Served) -> None:
    api, ctx, clock = served_at
    admin = _signed_in(api, clock, _admin(ctx))
    sam = _staff(ctx, Role.support)
    signed_in_sam = _signed_in(api, clock, sam)
    page = f"/console/staff/{sam.id}"
    shown = admin.post(f"{page}/totp", {"reason": "lost phone"}, form_at=page)
    assert shown.status_code == 200 and "is not shown again" in words(shown.text)
    token = _LINK.search(shown.text)
    assert token is not None
    assert signed_in_sam.get("/console").headers.get("location") == "/console/signin"
    # The old app's codes no longer sign in: the password step says what to do.
    clock.advance(step_s)
    again = visitor_for(api).post("/console/signin", {"email": sam.email, "password": PASSWORD})
    assert again.status_code == 400 and "Your set-up link is not used yet" in words(again.text)
    link = f"/console/setup/{token.group(1)}"
    assert "Type your password" in visitor_for(api).text(link)
    _set_up(api, clock, token.group(1), PASSWORD)
    assert _changes(ctx)[-3:] == [
        AuditAction.staff_totp_reset, AuditAction.staff_set_up, AuditAction.sign_in,
    ]  # fmt: skip


def test_an_expired_or_made_up_link_says_so(served_at: Served) -> None:
    api, ctx, clock = served_at
    admin = _signed_in(api, clock, _admin(ctx))
    _, token = _add(admin, "late@colony.example")
    clock.advance(setup_link_ttl_s)
    late = visitor_for(api).get(f"/console/setup/{token}")
    assert late.status_code == 410 and "This set-up link has expired." in words(late.text)
    assert "Ask an admin for a new set-up link." in words(late.text)
    assert visitor_for(api).get("/console/setup/not-a-token").status_code == 404


def test_the_staff_list_pages_by_id(served_at: Served) -> None:
    api, ctx, clock = served_at
    admin = _signed_in(api, clock, _admin(ctx))
    service = ctx.service(StaffService)
    for n in range(staff_page_rows):
        service.create(f"s{n:02d}@colony.example", f"S{n:02d}", Role.risk, PASSWORD)
    first = admin.get("/console/staff")
    assert first.status_code == 200 and "More staff" in first.text
    after = re.search(r'href="/console/staff\?after=(stf_[0-9a-f]{32})"', first.text)
    assert after is not None
    second = admin.get(f"/console/staff?after={after.group(1)}")
    everyone = len(
        service_ids := re.findall(r'href="/console/staff/(stf_[0-9a-f]{32})"', first.text)
    )
    rest = re.findall(r'href="/console/staff/(stf_[0-9a-f]{32})"', second.text)
    assert everyone + len(rest) == staff_page_rows + 1 and not set(service_ids) & set(rest)
    assert "More staff" not in second.text
    assert admin.get("/console/staff?after=nonsense").status_code == 400


@pytest.mark.parametrize(
    ("locale", "said"),
    [("zh_Hans", ("更改角色", "重置 TOTP", "设置您的账户")),
     ("fi", ("Vaihda rooli", "Nollaa TOTP", "Ota tilisi käyttöön"))],
)  # fmt: skip
def test_the_staff_pages_speak_chinese_and_finnish(
    served_at: Served, locale: str, said: tuple[str, str, str]
) -> None:
    api, ctx, clock = served_at
    admin = _signed_in(api, clock, _admin(ctx))
    _, token = _add(admin, "mei@colony.example")
    member = ctx.service(StaffService).by_email("mei@colony.example")
    assert member is not None
    admin.client.cookies.set("colony_lang", locale)
    page = admin.text(f"/console/staff/{member.id}")
    assert said[0] in page and said[1] in page
    newcomer = visitor_for(api)
    newcomer.client.cookies.set("colony_lang", locale)
    assert said[2] in newcomer.text(f"/console/setup/{token}")


def test_a_staff_list_of_exactly_one_page_offers_no_more(served_at: Served) -> None:
    api, ctx, clock = served_at
    admin = _signed_in(api, clock, _admin(ctx))
    service = ctx.service(StaffService)
    for n in range(staff_page_rows - 1):  # the admin and these: one page exactly
        service.create(f"s{n:02d}@colony.example", f"S{n:02d}", Role.risk, PASSWORD)
    first = admin.get("/console/staff")
    listed = re.findall(r'href="/console/staff/(stf_[0-9a-f]{32})"', first.text)
    assert len(set(listed)) == staff_page_rows
    assert "More staff" not in first.text  # it led to an empty page
