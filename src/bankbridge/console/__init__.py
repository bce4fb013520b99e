"""The sandbox console: server-rendered pages at ``/console`` for a person with a browser.

The console is a client of the API. A person signs in with an account's key and secret;
the console obtains an access token for that account from ``POST /token`` and makes every
read and write through the API's own routes, in process (``client.py``), so a console
session sees exactly what that token sees and each resource's JSON is what the API returns.

- ``session.py``: the session cookie (the access token itself), CSRF tokens, the
  ``console_page`` decorator that hands a signed-in ``Console`` to each page handler.
- ``client.py``: the in-process API client, which records every call (curl, dwollav2).
- ``rendering.py``: templates, the layout, security headers.
- ``nav.py``: the navigation entries.
- ``pages/``: one module per area, each with its ``ROUTES``; ``routes.py`` mounts them.
"""
