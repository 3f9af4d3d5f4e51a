"""A merchant's portal users on each backend: an owner and cashiers added with their checks,
one user per phone number, the last owner kept, and refund reasons written once."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from colony.kernel.clock import ManualClock
from colony.kernel.ids import IdGenerator
from colony.merchants import (
    Merchant,
    MerchantUserService,
    Role,
    UserResult,
    credential_subject,
    open_merchant_user_store,
    user_service,
)

HAWKER = Merchant(
    "mer_0a1b", "Hawker Chan Pte Ltd", "Hawker Chan", "5812", "SG", "Singapore", "SGD", 702,
    150, 2**127 + 3, 1_700_000_000_000_000_000,
)  # fmt: skip


@pytest.fixture
def users(store_url: str) -> Iterator[MerchantUserService]:
    clock = ManualClock()
    store = open_merchant_user_store(store_url)
    known = {HAWKER.id: HAWKER}
    yield MerchantUserService(store, known.get, clock, IdGenerator(clock, random.Random(7)))
    store.close()


def test_an_owner_and_a_cashier_are_added_and_found(users: MerchantUserService) -> None:
    result, owner = users.add(
        HAWKER.id, "+6590008801", " Chan Hon Meng ", "owner", "chan@hawker.sg"
    )
    assert result is UserResult.ok and owner is not None
    assert owner.id.startswith("mus_") and owner.name == "Chan Hon Meng"
    assert owner.role is Role.owner and owner.is_owner
    _, cashier = users.add(HAWKER.id, "+6590008802", "Siti", "cashier")
    assert cashier is not None and not cashier.is_owner and cashier.email is None
    assert users.by_phone("+6590008801") == owner
    assert users.by_id(cashier.id) == cashier
    assert users.of_merchant(HAWKER.id) == [owner, cashier]
    assert credential_subject(owner) == f"merchant_user:{owner.id}"


@pytest.mark.parametrize(
    ("merchant_id", "phone", "name", "role", "email", "result"),
    [
        ("mer_none", "+6590008801", "Chan", "owner", None, UserResult.unknown_merchant),
        (HAWKER.id, "90008801", "Chan", "owner", None, UserResult.invalid_phone),
        (HAWKER.id, "+6590008801", "  ", "owner", None, UserResult.invalid_name),
        (HAWKER.id, "+6590008801", "Chan\x00", "owner", None, UserResult.invalid_name),
        (HAWKER.id, "+6590008801", "Chan", "manager", None, UserResult.invalid_role),
        (HAWKER.id, "+6590008801", "Chan", "owner", "not an address", UserResult.invalid_email),
    ],
)
def test_what_is_not_a_user_is_refused(
    users: MerchantUserService, merchant_id: str, phone: str, name: str, role: str,
    email: str | None, result: UserResult,
) -> None:  # fmt: skip
    assert users.add(merchant_id, phone, name, role, email) == (result, None)
    assert users.of_merchant(HAWKER.id) == []


def test_a_number_is_one_users_and_the_last_owner_stays(users: MerchantUserService) -> None:
    _, owner = users.add(HAWKER.id, "+6590008801", "Chan", "owner")
    assert owner is not None
    assert users.add(HAWKER.id, "+6590008801", "Again", "cashier") == (UserResult.phone_taken, None)
    assert users.remove(HAWKER.id, owner.id) is UserResult.last_owner


def test_an_email_address_is_one_users_in_any_case(users: MerchantUserService) -> None:
    _, owner = users.add(HAWKER.id, "+6590008801", "Chan", "owner", " Chan@Hawker.Example ")
    assert owner is not None and owner.email == "chan@hawker.example"
    assert users.by_email("CHAN@hawker.example") == owner
    assert users.by_email("lee@hawker.example") is None
    again = users.add(HAWKER.id, "+6590008802", "Lee", "cashier", "chan@HAWKER.example")
    assert again == (UserResult.email_taken, None)
    assert users.remove(HAWKER.id, owner.id) is UserResult.last_owner
    _, cashier = users.add(HAWKER.id, "+6590008802", "Siti", "cashier")
    assert cashier is not None
    assert users.remove("mer_other", cashier.id) is UserResult.unknown_user
    assert users.remove(HAWKER.id, cashier.id) is UserResult.ok
    assert users.of_merchant(HAWKER.id) == [owner]


def test_a_refund_reason_is_written_once(users: MerchantUserService) -> None:
    _, owner = users.add(HAWKER.id, "+6590008801", "Chan", "owner")
    assert owner is not None
    first = users.keep_reason(owner, 2**127 + 9, 2**126 + 1, 500, "cold soup")
    again = users.keep_reason(owner, 2**127 + 9, 2**126 + 1, 700, "sent twice")
    assert again == first and first.reason == "cold soup" and first.user_id == owner.id
    assert users.reasons_of(2**126 + 1) == [first]
    assert users.reasons_of(5) == []


KOPI = Merchant(
    "mer_0c2d", "Kopi Corner LLP", "Kopi Corner", "5814", "SG", "Singapore", "SGD", 702,
    100, 2**127 + 5, 1_700_000_000_000_000_000,
)  # fmt: skip
KOPI2 = Merchant(
    "mer_0e3f", "Kopi Two LLP", "Kopi Two", "5814", "SG", "Singapore", "SGD", 702,
    100, 2**127 + 7, 1_700_000_000_000_000_000,
)  # fmt: skip


@pytest.fixture
def texted(store_url: str) -> Iterator[tuple[MerchantUserService, list[tuple[str, str]]]]:
    """Three shops' users, and the texts their owners' additions sent."""
    clock = ManualClock()
    store = open_merchant_user_store(store_url)
    known = {HAWKER.id: HAWKER, KOPI.id: KOPI, KOPI2.id: KOPI2}
    sent: list[tuple[str, str]] = []
    ids = IdGenerator(clock, random.Random(7))
    yield MerchantUserService(store, known.get, clock, ids, lambda p, t: sent.append((p, t))), sent
    store.close()


def test_an_owner_adding_another_shops_number_is_answered_as_for_a_new_one(
    texted: tuple[MerchantUserService, list[tuple[str, str]]],
) -> None:
    """docs/adr/0115: the owner learns nothing of other shops; the number's holder is told."""
    users, sent = texted
    _, siti = users.add(KOPI.id, "+6590008802", "Siti", "cashier", "siti@kopi.example")
    assert siti is not None
    # A new number, and Kopi Corner's cashier's number: both answered ok, neither texted...
    assert users.add_by_owner(HAWKER.id, "+6590008803", "Lee") is UserResult.ok
    assert sent == []
    assert users.add_by_owner(HAWKER.id, "+6590008802", "Siti T") is UserResult.ok
    # ...but the second is kept as an invitation, and its holder is told why.
    invited = users.invitations_of(HAWKER.id)
    assert [(u.phone, u.name, u.role) for u in invited] == [("+6590008802", "Siti T", Role.cashier)]
    assert invited[0].id.startswith("mus_")  # ids read alike: nothing tells them apart
    assert sent == [
        (
            "+6590008802",
            "Colony: Hawker Chan tried to add you to its staff, but your number or email address"
            " already signs in to another shop, so you were not added. Ask Hawker Chan to use"
            " another.",
        )
    ]
    assert users.by_phone("+6590008802") == siti  # still Kopi Corner's, and only theirs
    assert users.add_by_owner(HAWKER.id, "+6590008802", "Siti") is UserResult.phone_taken
    assert len(sent) == 1  # listed already: refused as one of its own, nobody texted again
    # Another shop's email address, with a new number: an invitation too, and no text: the
    # number may be the owner's own, and a text to it would tell them the address is taken.
    assert users.add_by_owner(HAWKER.id, "+6590008804", "Siti", "SITI@kopi.example") is (
        UserResult.ok
    )
    assert len(users.invitations_of(HAWKER.id)) == 2 and len(sent) == 1
    assert [u.phone for u in users.of_merchant(HAWKER.id)] == ["+6590008803"]
    # This shop's own number or address, a user's or an invitation's, is refused as its own:
    # the same for an address that was free (now Lee's) and one another shop holds.
    assert users.add_by_owner(HAWKER.id, "+6590008803", "Lee again") is UserResult.phone_taken
    assert users.add_by_owner(HAWKER.id, "+6590008806", "Lee", "lee@hawker.example") is (
        UserResult.ok
    )
    assert users.add_by_owner(HAWKER.id, "+6590008807", "X", "lee@hawker.example") is (
        UserResult.email_taken
    )
    assert users.add_by_owner(HAWKER.id, "+6590008805", "X", "siti@kopi.example") is (
        UserResult.email_taken
    )
    # An invitation is removed as a user is, by this shop only; added again the same day, its
    # holder is not texted again (an add-and-remove loop texts a number once a day).
    assert users.remove(KOPI.id, invited[0].id) is UserResult.unknown_user
    assert users.remove(HAWKER.id, invited[0].id) is UserResult.ok
    assert users.remove(HAWKER.id, invited[0].id) is UserResult.unknown_user
    assert len(users.invitations_of(HAWKER.id)) == 1
    assert users.add_by_owner(HAWKER.id, "+6590008802", "Siti") is UserResult.ok
    assert len(sent) == 1


def test_a_full_staff_list_refuses_every_addition_alike(
    texted: tuple[MerchantUserService, list[tuple[str, str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    users, _ = texted
    assert users.add(KOPI.id, "+6590008802", "Siti", "cashier")[0] is UserResult.ok
    monkeypatch.setattr(user_service, "users_per_merchant_max", 2)
    assert users.add_by_owner(HAWKER.id, "+6590008803", "Lee") is UserResult.ok
    assert users.add_by_owner(HAWKER.id, "+6590008802", "Siti") is UserResult.ok  # invited
    assert users.add_by_owner(HAWKER.id, "+6590008804", "Mei") is UserResult.too_many_staff
    assert users.add_by_owner(HAWKER.id, "+6590008802", "Siti") is UserResult.too_many_staff


def test_an_invitation_waits_until_the_number_and_address_are_free_then_makes_a_user(
    texted: tuple[MerchantUserService, list[tuple[str, str]]],
) -> None:
    """docs/adr/0115: the shop that held a number lets it go; its holder's next sign-in
    makes them the oldest inviting shop's cashier, as that owner typed them, under the
    invitation's id; nothing waits while the number or the address is still a user's."""
    users, _ = texted
    _, siti = users.add(KOPI.id, "+6590008802", "Siti", "cashier", "siti@kopi.example")
    _, lee = users.add(KOPI.id, "+6590008803", "Lee", "cashier", "lee@kopi.example")
    assert siti is not None and lee is not None
    assert users.add_by_owner(HAWKER.id, "+6590008802", "Siti T") is UserResult.ok
    # A free number with Lee's address: waits until Lee's address is free too.
    assert users.add_by_owner(HAWKER.id, "+6590008809", "Mei", "lee@kopi.example") is (
        UserResult.ok
    )
    assert not users.invitation_waits("+6590008802")  # still Kopi Corner's
    assert users.accept_invitation("+6590008802") is None
    assert not users.invitation_waits("+6590008809")  # its address is Lee's
    assert users.accept_invitation("+6590008809") is None
    assert not users.invitation_waits("+6590008808")  # nobody invited it

    assert users.remove(KOPI.id, siti.id) is UserResult.ok
    invited = users.invitations_of(HAWKER.id)[0]
    assert users.invitation_waits("+6590008802")
    made = users.accept_invitation("+6590008802")
    assert made is not None
    assert (made.id, made.merchant_id, made.name, made.role) == (
        invited.id, HAWKER.id, "Siti T", Role.cashier,
    )  # fmt: skip
    assert users.by_phone("+6590008802") == made
    assert [u.name for u in users.invitations_of(HAWKER.id)] == ["Mei"]
    assert users.accept_invitation("+6590008802") is None  # once
    assert not users.invitation_waits("+6590008802")

    assert users.remove(KOPI.id, lee.id) is UserResult.ok
    mei = users.accept_invitation("+6590008809")
    assert mei is not None and mei.email == "lee@kopi.example"
    assert users.by_email("lee@kopi.example") == mei
    # An older invitation whose address is taken does not hold up a newer one that is free.
    _, noor = users.add(KOPI.id, "+6590008805", "Noor", "cashier", "noor@kopi.example")
    _, tan = users.add(KOPI.id, "+6590008806", "Tan", "cashier")
    assert noor is not None and tan is not None
    assert users.add_by_owner(HAWKER.id, "+6590008806", "Tan A", "noor@kopi.example") is (
        UserResult.ok
    )
    users._clock.advance(1)  # type: ignore[attr-defined]
    assert users.add_by_owner(KOPI2.id, "+6590008806", "Tan B") is UserResult.ok
    assert users.remove(KOPI.id, tan.id) is UserResult.ok
    tan_b = users.accept_invitation("+6590008806")
    assert tan_b is not None and (tan_b.merchant_id, tan_b.name) == (KOPI2.id, "Tan B")
    # A removed invitation never makes a user.
    _, ravi = users.add(KOPI.id, "+6590008804", "Ravi", "cashier")
    assert ravi is not None
    assert users.add_by_owner(HAWKER.id, "+6590008804", "Ravi") is UserResult.ok
    ravi_invited = next(u for u in users.invitations_of(HAWKER.id) if u.name == "Ravi")
    assert users.remove(HAWKER.id, ravi_invited.id) is UserResult.ok
    assert users.remove(KOPI.id, ravi.id) is UserResult.ok
    assert not users.invitation_waits("+6590008804")
    assert users.accept_invitation("+6590008804") is None
