"""`colony staff create` adds the first staff member and prints their TOTP secret once;
`colony serve --demo` seeds one whose password is new at every start."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from colony.cli import demo_data
from colony.cli.main import app
from colony.cli.serve import build_context
from colony.staff import AuditAction, Role, StaffResult, StaffService, totp


def _create(url: str, email: str, password_line: str, role: str = "operations") -> tuple[int, str]:
    answer = CliRunner().invoke(
        app,
        ["staff", "create", "--email", email, "--name", "Olli Ops", "--role", role,
         "--password-stdin", "--database", url],
        input=password_line,
    )  # fmt: skip
    return answer.exit_code, answer.output


def test_create_prints_the_secret_once_and_the_member_signs_in(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/colony.db"
    code, out = _create(url, "Ops@Colony.Example", "a long staff password\n")
    assert code == 0, out
    secret = re.search(r"secret: ([A-Z2-7]{32})", out)
    assert secret is not None and "otpauth://totp/Colony:ops%40colony.example?secret=" in out
    ctx = build_context(url)
    try:
        staff = ctx.service(StaffService)
        checked = staff.check_password("ops@colony.example", "a long staff password")
        assert checked.result is StaffResult.ok and checked.member is not None
        assert checked.member.role is Role.operations
        assert checked.member.totp_secret == secret.group(1)
        now_s = ctx.clock.now_ns() // 1_000_000_000
        assert staff.check_totp(checked.member.id, totp.code_at(secret.group(1), now_s)) is (
            StaffResult.ok
        )
    finally:
        ctx.ledger.close()
        ctx.close_stores()


def test_create_refuses_with_what_to_fix(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/colony.db"
    assert _create(url, "ops@colony.example", "short\n")[0] == 2
    assert "10 to 128 characters" in _create(url, "ops@colony.example", "short\n")[1]
    assert _create(url, "ops@colony.example", "a long staff password\n")[0] == 0
    taken = _create(url, "ops@colony.example", "a long staff password\n")
    assert taken[0] == 2 and "has that email already" in taken[1]
    assert _create(url, "ops@colony.example", "x\n", role="janitor")[0] == 2


def test_the_demo_seeds_one_staff_member_with_a_new_password_each_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/colony.db"
    seeded = []
    for _ in range(2):
        ctx = build_context(url)
        try:
            seeded.append(demo_data.seed(ctx))
            text = demo_data.instructions(seeded[-1], "http://127.0.0.1:8000")
            assert f"as ops@colony.example, password {seeded[-1].staff_password}" in text
            assert "colony staff create --role admin" in text  # the Staff page's way in
        finally:
            ctx.ledger.close()
            ctx.close_stores()
    first, second = seeded
    assert first.staff is not None and second.staff is not None
    assert first.staff.id == second.staff.id
    assert first.staff.totp_secret == second.staff.totp_secret
    assert first.staff_password != second.staff_password
    ctx = build_context(url)
    try:
        staff = ctx.service(StaffService)
        assert staff.check_password(first.staff.email, first.staff_password).result is (
            StaffResult.wrong_password
        )
        assert staff.check_password(first.staff.email, second.staff_password).result is (
            StaffResult.ok
        )
        actions = [e.action for e in staff.audit(None, 10)]
        assert actions.count(AuditAction.staff_created) == 1
        assert actions.count(AuditAction.password_set) == 1
    finally:
        ctx.ledger.close()
        ctx.close_stores()
