"""The HTTP API: FastAPI with Stripe-like conventions (outermost layer)."""
