"""Partner webhooks in: what a verified Plaid or MX webhook changes on the exchanges it names.

The partner's adapter verifies the webhook (``read_webhook``) and says what it means for one
connection: its login lapsed or is about to (the exchange needs re-authentication, told at
once by ``customer_exchange_reauth_required``), it was repaired (the flag clears), or access
is gone for good (the exchange is deactivated). A delivery seen before is refused as a
replay; applying the same change twice changes nothing, so partner retries are harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from bankbridge.clock import now
from bankbridge.crypto import Vault
from bankbridge.domain.exchanges import deactivate_exchange, mark_reauth_required, partner_ref
from bankbridge.errors import WebhookNotVerified
from bankbridge.models import Account
from bankbridge.partners.base import PartnerAdapter, PartnerNotice, WebhookRejected
from bankbridge.store.base import Store

__all__ = ["receive_partner_webhook"]

log = logging.getLogger("bankbridge.partner_webhooks")

REPLAY_NAMESPACE = "partner-webhook-deliveries"
REPLAY_KIND = "delivery"


async def receive_partner_webhook(
    store: Store,
    vault: Vault,
    adapters: Mapping[str, PartnerAdapter],
    account: Account,
    slug: str,
    body: bytes,
    headers: Mapping[str, str],
) -> PartnerNotice:
    """Verify a partner webhook for ``account`` and apply it to the exchanges it names."""
    try:
        notice = await adapters[slug].read_webhook(body, headers)
    except WebhookRejected as exc:
        log.warning("%s webhook for account %s refused: %s", slug, account.id, exc)
        raise WebhookNotVerified() from exc
    deliveries = store.emulator_records(REPLAY_NAMESPACE)
    replay_key = vault.fingerprint("partner-webhook", slug, notice.replay_key)
    if await deliveries.get(REPLAY_KIND, replay_key) is not None:
        log.warning("%s webhook for account %s refused: replayed", slug, account.id)
        raise WebhookNotVerified()
    await deliveries.put(
        REPLAY_KIND, replay_key, {"at": now().isoformat()}, expires_at=notice.fresh_until
    )
    ref = partner_ref(vault, slug, notice.ref)
    for exchange in await store.find_exchanges_by_partner_ref(account.id, slug, ref):
        if exchange.status != "active":
            continue
        if notice.change == "reauth_required":
            await mark_reauth_required(store, exchange)
        elif notice.change == "repaired" and exchange.reauth_required:
            await store.update_exchange(exchange.id, reauth_required=False)
        elif notice.change == "revoked":
            await deactivate_exchange(store, exchange)
    return notice
