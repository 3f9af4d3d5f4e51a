"""The merchant's static QR code as a poster to print: its name, its city, the code and the
wallets that pay it, composed as one SVG (any size, any printer) around segno's code.

Drawing one costs tens of milliseconds (the PNG's compression most), and a shop's poster is
the same until its name, its partners or the reader's language change: each kind keeps the
`posters_kept_max` posters drawn last, by everything drawn on them.
"""

from __future__ import annotations

import functools
from html import escape

import segno

# The poster's size in SVG user units: A-series proportions (1 : sqrt 2), at 1 unit = 1 mm
# on A4 paper.
poster_width = 210
poster_height = 297
# The code's side on the poster, in units, with its quiet zone.
qr_side = 150
# Posters of each kind kept as drawn (an A4 PNG is about 20 KB).
posters_kept_max = 256


@functools.lru_cache(maxsize=posters_kept_max)
def _code(payload: str) -> segno.QRCode:
    """The code, made once for the poster's three kinds (making one is most of an SVG's cost)."""
    return segno.make(payload, error="m", micro=False)


@functools.lru_cache(maxsize=posters_kept_max)
def poster_svg(name: str, city: str, payload: str, headline: str, accepted: tuple[str, ...]) -> str:
    """The poster: `headline` above the code, `accepted` (the wallets) below it."""
    code = _code(payload)
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


def _quiet(matrix: tuple[bytearray, ...]) -> list[bytes]:
    """The code's rows with a quiet zone of 4 light modules all round."""
    blank = bytes(len(matrix) + 8)
    return [blank] * 4 + [bytes(4) + bytes(row) + bytes(4) for row in matrix] + [blank] * 4


# The PNG poster's size in pixels: A4's proportions at 150 dots per inch, enough to print.
png_width = 1240
png_height = 1754
# reportlab's built-in CID font for Chinese names (nothing downloaded); Latin text uses
# Helvetica, which every PDF reader has.
_CJK_FONT = "STSong-Light"


def _needs_cjk(text: str) -> bool:
    return any(ord(c) > 0x2E7F for c in text)


@functools.lru_cache(maxsize=posters_kept_max)
def poster_pdf(
    name: str, city: str, payload: str, headline: str, accepted: tuple[str, ...]
) -> bytes:
    """The poster as one A4 page of PDF: the same layout as `poster_svg`, drawn by reportlab
    (the code drawn as vector squares from segno's matrix, sharp at any size)."""
    # reportlab and Pillow are imported when a poster is drawn, not when the server starts.
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen.canvas import Canvas

    if _CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_CJK_FONT))
    out = io.BytesIO()
    page = Canvas(out, pagesize=A4, pageCompression=1)
    page.setTitle(f"{name}: {headline}")
    width, height = A4

    def centred(text: str, y_mm: float, size: float, bold: bool = False) -> None:
        font = _CJK_FONT if _needs_cjk(text) else ("Helvetica-Bold" if bold else "Helvetica")
        page.setFont(font, size)
        page.drawCentredString(width / 2, height - y_mm * mm, text)

    page.setFillColorRGB(0.043, 0.341, 0.816)  # #0b57d0
    page.rect(0, height - 14 * mm, width, 14 * mm, stroke=0, fill=1)
    page.setFillColorRGB(0, 0, 0)
    centred(name, 38, 30, bold=True)
    centred(city, 50, 14)
    centred(headline, 66, 16)
    matrix = _code(payload).matrix
    modules = len(matrix) + 8  # with the quiet zone of 4 modules a side
    cell = qr_side * mm / modules
    left = (width - qr_side * mm) / 2 + 4 * cell
    top = height - 74 * mm - 4 * cell
    for row, line in enumerate(matrix):
        for column, dark in enumerate(line):
            if dark:
                page.rect(left + column * cell, top - (row + 1) * cell, cell, cell, 0, 1)
    for i, wallet in enumerate(accepted):
        centred(wallet, 250 + 9 * i, 13)
    page.showPage()
    page.save()
    return out.getvalue()


@functools.lru_cache(maxsize=posters_kept_max)
def poster_png(
    name: str, city: str, payload: str, headline: str, accepted: tuple[str, ...]
) -> bytes:
    """The poster as a PNG (A4 at 150 dpi), drawn by Pillow with its own scalable font."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (png_width, png_height), "white")
    draw = ImageDraw.Draw(image)
    px = png_width / poster_width  # pixels per poster unit (mm)
    draw.rectangle((0, 0, png_width, round(14 * px)), fill="#0b57d0")

    def centred(text: str, y_mm: float, size_mm: float) -> None:
        font = ImageFont.load_default(size=round(size_mm * px))
        draw.text((png_width / 2, y_mm * px), text, fill="black", font=font, anchor="ms")

    centred(name, 38, 11)
    centred(city, 50, 5.5)
    centred(headline, 66, 6.5)
    # The code's modules as one pixel each (with its quiet zone of 4), scaled up as squares.
    matrix = _code(payload).matrix
    modules = len(matrix) + 8
    qr = Image.new("L", (modules, modules), 255)
    qr.putdata([0 if dark else 255 for row in _quiet(matrix) for dark in row])
    side_px = round(qr_side * px)
    qr = qr.resize((side_px, side_px), Image.Resampling.NEAREST).convert("RGB")
    image.paste(qr, (round((png_width - side_px) / 2), round(74 * px)))
    for i, wallet in enumerate(accepted):
        centred(wallet, 250 + 9 * i, 5)
    out = io.BytesIO()
    # zlib's default level: `optimize` searched for a smaller file (about 12% smaller) at
    # twice the time, most of the poster's.
    image.save(out, format="PNG")
    return out.getvalue()
