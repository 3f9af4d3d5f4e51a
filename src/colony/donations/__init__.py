"""Donations: causes (charities) the operator registers, and wallets giving to them.

The worked example of docs/adding-a-product.md: a product in one folder, with its records,
store, migrations, service and results; its router is `api/routers/donations.py`.
"""
