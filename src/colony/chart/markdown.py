"""docs/chart-of-accounts.md, rendered from the chart itself (never edited by hand)."""

from __future__ import annotations

from colony.chart import ids, ledgers
from colony.chart.codes import AccountCode, TransferCode
from colony.chart.prefixes import LEGACY, IdPrefix
from colony.chart.slots import SPACES, Slot, slots_in

REGENERATE = "python -m colony.chart --markdown > docs/chart-of-accounts.md"


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"


def _hex(byte: int) -> str:
    return f"`0x{byte:02X}`"


def _kinds(codes: frozenset[AccountCode]) -> str:
    return ", ".join(sorted(c.name for c in codes))


def _slot_number(slot: Slot) -> str:
    if slot.tag is not None:
        return f"tag `{slot.tag.decode()}`"
    if slot.count == 1:
        return str(slot.first)
    return f"{slot.first} + 0..{slot.count - 1}"


def _id_spaces() -> list[str]:
    doc = (ids.__doc__ or "").split("\n\n")
    return [doc[1].strip(), "", doc[2].strip()] if len(doc) > 2 else []


def render() -> str:
    """The whole page, ending with a newline."""
    lines = [
        "# Chart of accounts",
        "",
        "<!-- Generated from src/colony/chart: do not edit. Regenerate with",
        f"     {REGENERATE} -->",
        "",
        "Every ledger number, account code, transfer code, id prefix and derived-id slot Colony",
        "uses, declared once in `src/colony/chart` with its meaning. Products take their codes",
        "and ids from there; `tests/chart` fails on a duplicate, on a code used but not declared,",
        "and when this page differs from what the chart renders.",
        "",
        "## Ledgers",
        "",
        ledgers.RULE,
        "",
        "## Account codes",
        "",
        _row("code", "name", "product", "one per", "meaning"),
        _row(*["---"] * 5),
        *(_row(c.value, f"`{c.name}`", c.product, c.per, c.meaning) for c in AccountCode),
        "",
        "## Transfer codes",
        "",
        "A post or void of a pending transfer carries the pending transfer's code.",
        "",
        _row("code", "name", "product", "debits", "credits", "meaning"),
        _row(*["---"] * 6),
        *(
            _row(t.value, f"`{t.name}`", t.product, _kinds(t.debits), _kinds(t.credits), t.meaning)
            for t in TransferCode
        ),
        "",
        "## Id spaces",
        "",
        *_id_spaces(),
        "",
        "## Id prefixes",
        "",
        _row("prefix", "name", "layout", "account code", "product"),
        _row(*["---"] * 5),
        *(
            _row(_hex(p.value), f"`{p.name}`", p.layout.value, p.code.name, p.code.product)
            for p in IdPrefix
        ),
        "",
        "Legacy layouts, still read where existing ledgers hold them, never opened again",
        "(docs/adr/0023-one-chart-of-accounts.md):",
        "",
        _row("prefix", "name", "layout", "account code", "replaced by", "why"),
        _row(*["---"] * 6),
        *(
            _row(
                _hex(old.prefix),
                f"`{old.name}`",
                old.layout.value,
                old.code.name,
                old.replaced_by.name,
                old.why,
            )
            for old in LEGACY
        ),
        "",
        "## Derived-id slots",
        "",
        "`derived_id(base, slot)` or `tagged_id(base, tag)`; per space (what the base is), the",
        "slots its bases carry, including those of the spaces it includes.",
    ]
    for space in SPACES:
        includes = ", ".join(f"`{s.name}`" for s in space.includes)
        lines += [
            "",
            f"### `{space.name}`: {space.base}" + (f" (includes {includes})" if includes else ""),
            "",
            _row("slot", "name", "declared in", "meaning"),
            _row(*["---"] * 4),
        ]
        lines += [
            _row(_slot_number(s), f"`{s.name}`", ", ".join(sp.name for sp in s.spaces), s.meaning)
            for s in slots_in(space)
        ]
    return "\n".join(lines) + "\n"
