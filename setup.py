"""Colony's compiled parts: the ledger's hot path in C (docs/adr/0069) and the fraud model's
trees walked in C (docs/adr/0100).

Everything else is in pyproject.toml. The extensions are optional: where one cannot be built
(no C compiler), the install goes on and its Python twin runs alone, which gives the same
results (colony/ledger/native.py, colony/risk/fraud_model.py).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "colony.ledger._native",
            ["src/colony/ledger/_native.c"],
            optional=True,
            extra_compile_args=["-O2", "-std=gnu11"],
        ),
        Extension(
            "colony.risk._trees",
            ["src/colony/risk/_trees.c"],
            optional=True,
            extra_compile_args=["-O2", "-std=gnu11"],
        ),
    ]
)
