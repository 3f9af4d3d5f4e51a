"""The one numbering of migrations Colony shipped before each package kept its own, frozen.

Until then every table of every product was in `storage/migrations/<backend>/` under one
global number (0001_initial to 0006_payment_cross_border), and `schema_migrations` recorded
`(version, name, checksum)`. Those files were split along their own boundaries into the
packages that own the tables: every released file became one or more package files, and no
package file took from two released ones. So any database those files made, whatever number
it had reached, maps exactly onto package migrations; the runner renames its records once, in
one transaction, after checking each one against the checksums below
(docs/adr/0024-storage-engine-and-product-migrations.md).

Never edit this table: it is what those releases shipped.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Released:
    """One released file of the old numbering, and the package migrations it became."""

    version: int
    name: str
    checksum: str  # SHA-256 of the released file (line ends as \n), hex
    became: tuple[tuple[str, int], ...]  # (package, version) of each package migration


RELEASED: dict[str, tuple[Released, ...]] = {
    "sqlite": (
        Released(
            1,
            "initial",
            "472fcd1fa669b21099de80f21adacecd239955a2d9537e3c52e35866f4735d01",
            (
                ("storage", 1),
                ("api", 1),
                ("merchants", 1),
                ("payments", 1),
                ("wallets", 1),
                ("webhooks", 1),
            ),
        ),
        Released(
            2,
            "fx_quotes",
            "ac9b31742f0218c097ec4ec5a96020cf4145255046a05a1753e3fc4c34bfd7d2",
            (("fx", 1),),
        ),
        Released(
            3,
            "api_keys_by_owner",
            "9b0b0216fc2e82237cbb985460a178739b2dac759dd3c9015a4b1b0db63cf2f5",
            (("api", 2),),
        ),
        Released(
            4,
            "idempotency_claims",
            "bcece7c8e4a0a2fd74367b01f3b4b67b6c1638f71f650485fd48c1904e766880",
            (("api", 3),),
        ),
        Released(
            5,
            "partners",
            "b1f4eb841e19d9a89fd42f361f3e140c65b32c3b12480794d84bc91244888d0d",
            (("partners", 1),),
        ),
        Released(
            6,
            "payment_cross_border",
            "74866116c8df64f6be6a757e3a844baa6ab6ae873e944671d0e81f7565e82003",
            (("payments", 2),),
        ),
    ),
    "postgresql": (
        Released(
            1,
            "initial",
            "b3ac2ecc04910ff67c5581648b5338dc020fb0118bb586a2670afaceffbc0c31",
            (("storage", 1), ("payments", 1), ("wallets", 1), ("webhooks", 1)),
        ),
        Released(
            2,
            "wallets_merchants_payments_api",
            "2fd23cb2b07759fcac233fafc339631fc6385f56f340762a914783c5a2ddf186",
            (("api", 1), ("merchants", 1), ("payments", 2), ("wallets", 2)),
        ),
        Released(
            3,
            "fx_quotes",
            "0199427795856183be7b143ff8bed38ba4b96d8558956dbe194c37e13a5e626f",
            (("fx", 1),),
        ),
        Released(
            4,
            "idempotency_claims",
            "826add949c29e4a1faa07235029ea4516814e27966a97bfb239a85c499bafee1",
            (("api", 2),),
        ),
        Released(
            5,
            "partners",
            "b01ea436c397db7174eb1d34506705f836cd10051c367c4bfa9959c3a2654567",
            (("partners", 1),),
        ),
        Released(
            6,
            "payment_cross_border",
            "e1c60010c54dbfc6080a577b1af3d8b6b2c929b25bf39d4ed57c67c348427dc5",
            (("payments", 3),),
        ),
    ),
}
