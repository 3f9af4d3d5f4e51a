"""Wallets: accounts people open for one coin, with KYC tiers and limits, and P2P transfers."""
