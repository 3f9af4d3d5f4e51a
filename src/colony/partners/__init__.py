"""Partner wallets as tenants: who they are, which wallets and merchants are theirs, and what
they owe each other for payments across them."""
