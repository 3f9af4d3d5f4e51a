"""The merchant's static QR code as a poster to print: its name, its city, the code and the
wallets that pay it, composed as one SVG (any size, any printer) around segno's code."""

from __future__ import annotations

from html import escape

import segno

# The poster's size in SVG user units: A-series proportions (1 : sqrt 2), at 1 unit = 1 mm
# on A4 paper.
poster_width = 210
poster_height = 297
# The code's side on the poster, in units, with its quiet zone.
qr_side = 150


def poster_svg(name: str, city: str, payload: str, headline: str, accepted: list[str]) -> str:
    """The poster: `headline` above the code, `accepted` (the wallets) below it."""
    code = segno.make(payload, error="m", micro=False)
    side = code.symbol_size(scale=1, border=4)[0]
    qr = code.svg_inline(scale=1, border=4, dark="#000", light="#fff")
    left = (poster_width - qr_side) / 2
    lines = "".join(
        f'<text x="105" y="{248 + 9 * i}" font-size="7" text-anchor="middle">{escape(w)}</text>'
        for i, w in enumerate(accepted)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {poster_width} {poster_height}"'
        f' width="{poster_width}mm" height="{poster_height}mm" font-family="sans-serif">'
        f'<rect width="{poster_width}" height="{poster_height}" fill="#fff"/>'
        f'<rect width="{poster_width}" height="14" fill="#0b57d0"/>'
        f'<text x="105" y="38" font-size="16" font-weight="700" text-anchor="middle">'
        f"{escape(name)}</text>"
        f'<text x="105" y="50" font-size="8" text-anchor="middle" fill="#4a4a55">'
        f"{escape(city)}</text>"
        f'<text x="105" y="66" font-size="9" text-anchor="middle">{escape(headline)}</text>'
        f'<svg x="{left}" y="74" width="{qr_side}" height="{qr_side}"'
        f' viewBox="0 0 {side} {side}">{_inner(qr)}</svg>'
        f"{lines}</svg>"
    )


def _inner(svg: str) -> str:
    """What is inside segno's <svg> element."""
    return svg[svg.index(">") + 1 : svg.rindex("</svg>")]
