"""Files only BankBridge's own user may read: folders 0700, files 0600, whatever the umask.

The SQLite database holds hashed credentials, tokens and customer data, and its key file the
key that decrypts the rest; other local users must not read them. ``mkdir`` and ``open``
apply the process umask to the mode they are given, so each new folder or file is set to
its mode explicitly. Folders and files that already exist are left as their owner set them.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["FILE_MODE", "FOLDER_MODE", "create_private_file", "make_private_folder"]

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def make_private_folder(path: Path) -> None:
    """Create ``path`` and any missing parents, each 0700; existing folders are untouched."""
    missing: list[Path] = []
    folder = path
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            continue  # another process made it (and sets its mode)
        os.chmod(folder, FOLDER_MODE)


def create_private_file(path: Path) -> bool:
    """Create ``path`` empty and 0600 unless it exists; True when this call created it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return False
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return True
