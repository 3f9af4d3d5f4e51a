"""Colony's own ISO 3166-1 table (kernel/iso_3166_1.csv): well formed, and in step with the
iso-codes data pycountry carries, so a change to either is seen and reviewed."""

from __future__ import annotations

import datetime as dt

import pycountry

from colony.kernel.countries import countries, iso_3166_alpha_2


def test_the_table_is_iso_3166_1_as_pycountry_carries_it() -> None:
    ours = {c.alpha_2: (c.alpha_3, c.name) for c in countries(dt.date(2026, 1, 1)).values()}
    theirs = {str(c.alpha_2): (str(c.alpha_3), str(c.name)) for c in pycountry.countries}
    assert ours == theirs
    assert len(ours) == 249


def test_alpha_2_codes_are_known_or_not() -> None:
    assert iso_3166_alpha_2("SG") and iso_3166_alpha_2("fi")
    for code in ("XK", "ZZ", "EU", "UK", "SGP", "", "S\x00"):
        assert not iso_3166_alpha_2(code), code
