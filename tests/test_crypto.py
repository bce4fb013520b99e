"""Secrets at rest: encryption round trip, tamper detection, fingerprints, key handling."""

from __future__ import annotations

import stat

import pytest

from bankbridge.config import Secret, Settings
from bankbridge.crypto import Vault, VaultError, load_vault


def test_encrypted_value_round_trips_and_hides_the_plaintext(tmp_path):
    vault = load_vault(Settings(database_url=f"sqlite:///{tmp_path}/a.db"))
    ciphertext = vault.encrypt("access-sandbox-1234")
    assert "access-sandbox-1234" not in ciphertext
    assert vault.decrypt(ciphertext) == "access-sandbox-1234"


def test_tampered_or_foreign_ciphertext_is_refused(tmp_path):
    vault = load_vault(
        Settings(database_url=f"sqlite:///{tmp_path}/a.db", secret_key=Secret("one"))
    )
    other = load_vault(
        Settings(database_url=f"sqlite:///{tmp_path}/a.db", secret_key=Secret("two"))
    )
    ciphertext = vault.encrypt("x")
    with pytest.raises(VaultError):
        other.decrypt(ciphertext)
    with pytest.raises(VaultError):
        vault.decrypt(ciphertext[:-2] + ("A" if ciphertext[-2] != "A" else "B") + ciphertext[-1])


def test_sqlite_install_gets_a_private_key_file_reused_across_starts(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path}/db.sqlite")
    first = load_vault(settings)
    key_file = tmp_path / "db.sqlite.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_vault(settings).decrypt(first.encrypt("kept")) == "kept"


def test_postgres_without_a_key_is_refused_with_instructions():
    with pytest.raises(ValueError, match="BANKBRIDGE_SECRET_KEY"):
        load_vault(Settings(database_url="postgresql://x@127.0.0.1/db"))


def test_fingerprints_are_stable_per_key_and_differ_across_keys():
    one, two = Vault(Vault_key("a")), Vault(Vault_key("b"))
    assert one.fingerprint("011401533", "1111") == one.fingerprint("011401533", "1111")
    assert one.fingerprint("011401533", "1111") != one.fingerprint("011401533", "1112")
    assert one.fingerprint("x") != two.fingerprint("x")


def test_signatures_verify_only_the_signed_message():
    vault = Vault(Vault_key("a"))
    tag = vault.sign(b"message")
    assert vault.verify(b"message", tag)
    assert not vault.verify(b"messagf", tag)
    assert not Vault(Vault_key("b")).verify(b"message", tag)


def Vault_key(passphrase):
    from bankbridge.crypto import _as_fernet_key

    return _as_fernet_key(passphrase)


def test_sealed_value_opens_only_with_its_key_and_context():
    vault, other = Vault(Vault_key("a")), Vault(Vault_key("b"))
    sealed = vault.seal('{"payment_session_secret": "pss_1"}', "exchange-session\x1fs1")
    assert "pss_1" not in sealed and not sealed.startswith("{")
    assert vault.seal("x", "c") != vault.seal("x", "c")  # a fresh nonce each time
    assert vault.unseal(sealed, "exchange-session\x1fs1") == '{"payment_session_secret": "pss_1"}'
    for attempt in (
        lambda: vault.unseal(sealed, "exchange-session\x1fs2"),  # moved to another row
        lambda: other.unseal(sealed, "exchange-session\x1fs1"),
        lambda: vault.unseal(sealed[:-4] + ("AAAA" if sealed[-4:] != "AAAA" else "BBBB"), "c"),
        lambda: vault.unseal("not sealed", "c"),
    ):
        with pytest.raises(VaultError):
            attempt()
