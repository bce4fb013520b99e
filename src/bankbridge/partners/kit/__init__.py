"""The emulator kit: what every partner emulator needs once, so no partner keeps a copy.

- ``bodies``: request bodies read with the size limit *before* anything else (credentials
  included), JSON objects with a depth limit, form posts, ASCII-only integers.
- ``keys``: each account's sandbox partner credentials, derived from the install's secret
  key (never in the source), and the reverse check an emulator makes: credentials -> owner.
- ``tenancy``: per-owner record stores and the capability index that hosted pages use to
  find the owner of a link token, widget URL or payment session.
- ``pages``: hosted pages: one Jinja2 environment with the shared base template, security
  headers (CSP with a per-response nonce, ``frame-ancestors``, ``Referrer-Policy``,
  ``Cache-Control``) and the same-origin check for form posts.
- ``ids``: partner-style random ids, timestamps and expiry.

Import from the submodules (``bankbridge.partners.kit.bodies`` …): this package imports
nothing itself, so the domain can read ``keys`` without pulling in Starlette.
"""
