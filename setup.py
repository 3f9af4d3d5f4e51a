"""Colony's one compiled part: the ledger's hot path in C (docs/adr/0069).

Everything else is in pyproject.toml. The extension is optional: where it cannot be built
(no C compiler), the install goes on and the ledger runs its Python path alone, which gives
the same results (colony/ledger/native.py).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "colony.ledger._native",
            ["src/colony/ledger/_native.c"],
            optional=True,
            extra_compile_args=["-O2", "-std=gnu11"],
        )
    ]
)
