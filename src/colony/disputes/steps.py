"""Which step a complaint may take from which state, and who may take it: one table."""

from __future__ import annotations

from colony.disputes.model import Actor, Status

_S, _A = Status, Actor
_ANSWERING = frozenset({_A.merchant, _A.staff})
_UNANSWERED = (_S.open, _S.acknowledged, _S.holding)

# (from, to) -> who may move a complaint so. Anything absent is `not_allowed_now`.
STEPS: dict[tuple[Status, Status], frozenset[Actor]] = {
    (_S.open, _S.acknowledged): _ANSWERING,
    # A holding reply acknowledges too; it is given once, and buys the answer 35 days.
    (_S.open, _S.holding): _ANSWERING,
    (_S.acknowledged, _S.holding): _ANSWERING,
    **{(s, _S.resolved): _ANSWERING for s in _UNANSWERED},
    **{(s, _S.rejected): _ANSWERING for s in _UNANSWERED},
    # Anyone may hand an unanswered complaint to support staff; a person may take a
    # rejection to them too. Only staff answer an escalated complaint.
    **{(s, _S.escalated): frozenset(_A) - {_A.rule} for s in _UNANSWERED},
    (_S.rejected, _S.escalated): frozenset({_A.person}),
    (_S.escalated, _S.resolved): frozenset({_A.staff}),
    (_S.escalated, _S.rejected): frozenset({_A.staff}),
}
# Steps that need a reason in words: a delay, a refusal, a hand-over.
NOTE_REQUIRED = frozenset({_S.holding, _S.rejected, _S.escalated})


def next_steps(status: Status, actor: Actor) -> list[Status]:
    """What `actor` may move a complaint in `status` to, in the table's order."""
    return [to for (at, to), who in STEPS.items() if at is status and actor in who]
