"""The rule that acts on repeated complaints: a merchant with `repeat_threshold` complaints of
one kind within `repeat_window_days` is put under review, once per kind and window, and the
review records what it saw and what changed. Colony has no per-merchant limits to lower yet,
so the review is the change: it shows on the console's complaints page for staff to act on
(docs/adr/0053)."""

from __future__ import annotations

from colony.disputes.model import Complaint, Review
from colony.disputes.store import ComplaintStore
from colony.kernel.clock import NS_PER_S
from colony.kernel.ids import IdGenerator

# Complaints of one kind about one merchant that put it under review, and over how long.
repeat_threshold = 3
repeat_window_days = 30
_DAY_NS = 86_400 * NS_PER_S


def review_if_repeated(
    store: ComplaintStore, complaint: Complaint, now_ns: int, ids: IdGenerator
) -> Review | None:
    """After `complaint` was filed: the review it triggers, recorded, or None."""
    since = now_ns - repeat_window_days * _DAY_NS
    alike = store.count_received(complaint.merchant_id, since, category=complaint.category.value)
    if alike < repeat_threshold:
        return None
    last = store.last_review(complaint.merchant_id, complaint.category.value)
    if last is not None and last.at_ns >= since:
        return None  # reviewed for this kind within the window already
    review = Review(
        f"rev_{ids.new_id():032x}",
        complaint.merchant_id,
        complaint.category,
        alike,
        repeat_window_days,
        f"placed under review: {alike} complaints of kind {complaint.category.value} "
        f"in {repeat_window_days} days (threshold {repeat_threshold})",
        now_ns,
    )
    store.add_review(review)
    return review
