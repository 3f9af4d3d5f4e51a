"""A QR payload drawn as a picture (segno): PNG for screens and print, SVG for any size."""

from __future__ import annotations

import functools
import io

import segno

# Pixels per QR module, and the quiet zone around the code in modules (EMVCo asks for 4).
module_px = 8
quiet_zone_modules = 4
# Images kept as drawn, by payload and kind (a code's PNG is a few KB): a shop's static code
# is asked for again and again, and drawing it costs milliseconds of pure Python.
qr_images_kept_max = 1_024


@functools.lru_cache(maxsize=qr_images_kept_max)
def render(payload: str, kind: str) -> bytes:
    """The code as "png" or "svg" bytes; error correction M, as printed codes use."""
    if kind not in ("png", "svg"):
        raise ValueError(f"no QR image kind {kind!r}: png or svg")
    out = io.BytesIO()
    code = segno.make(payload, error="m", micro=False)
    code.save(out, kind=kind, scale=module_px, border=quiet_zone_modules)
    return out.getvalue()
