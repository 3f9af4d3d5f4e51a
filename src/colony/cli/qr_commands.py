"""`colony qr ...`: decode and print EMV merchant-presented QR codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from colony.cli.output_files import writable, write_file
from colony.kernel.errors import InvalidInput
from colony.payments import MerchantQr, QrFormatError, generate, parse, render

app = typer.Typer(no_args_is_help=True, help="EMV merchant-presented QR codes.")
err = Console(stderr=True)


@app.command("decode")
def decode(
    payload: Annotated[str, typer.Argument(help="The text a scanner read from the code.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the fields as JSON.")] = False,
) -> None:
    """Decode a payload; exit 1 if its CRC is wrong, 2 if it is not an EMV code at all."""
    try:
        qr = parse(payload)
    except QrFormatError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    if as_json:
        print(json.dumps(qr.as_dict(), ensure_ascii=False))
    else:
        out = Console()
        for name, value in qr.as_dict().items():
            if value not in (None, "", {}, []):
                out.print(f"{name}: {value}", highlight=False, soft_wrap=True)
    if not qr.crc_valid:
        err.print("[red]error:[/red] CRC does not match: misread or tampered", highlight=False)
        raise typer.Exit(1)


@app.command("encode")
def encode(
    merchant_id: Annotated[str, typer.Option(help="The merchant's id in the scheme.")],
    name: Annotated[str, typer.Option(help="Merchant name (25 characters at most).")],
    city: Annotated[str, typer.Option(help="Merchant city (15 characters at most).")],
    country: Annotated[str, typer.Option(help="ISO 3166 alpha-2 country code.")],
    currency: Annotated[str, typer.Option(help="ISO 4217 numeric currency code, e.g. 978.")],
    mcc: Annotated[str, typer.Option(help="Merchant category code (4 digits).")] = "5999",
    gui: Annotated[str, typer.Option(help="Scheme identifier (template 26, sub-id 00).")] = (
        "org.colony"
    ),
    amount: Annotated[str | None, typer.Option(help="Makes a dynamic code, e.g. 25.90.")] = None,
    reference: Annotated[str | None, typer.Option(help="Order reference (62/05).")] = None,
    png: Annotated[Path | None, typer.Option(help="Also write the code as a PNG.")] = None,
    svg: Annotated[Path | None, typer.Option(help="Also write the code as an SVG.")] = None,
) -> None:
    """Print a payload (static, or dynamic with --amount); optionally write PNG and SVG."""
    images = {"png": png, "svg": svg}
    for kind, path in images.items():
        if path is not None:
            writable(path, f"--{kind}")
    try:
        payload = generate(
            MerchantQr(gui, merchant_id, mcc, currency, country, name, city, amount, reference)
        )
    except InvalidInput as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    print(payload)
    for kind, path in images.items():
        if path is not None:
            write_file(path, render(payload, kind), f"--{kind}")
