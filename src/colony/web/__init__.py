"""The web shell: what the wallet app (`/app`), the merchant portal (`/merchant`) and the
operator console (`/console`) share. Pages are rendered on the server (docs/adr/0038): the
layout, the languages, sign-in sessions, CSRF tokens, the security headers, and the static
assets (Colony's own and the vendored libraries). Each product adds its screens in its own
page modules (`<product>/pages.py`), as it adds its routes in `router.py`."""
