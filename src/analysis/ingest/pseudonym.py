"""Pseudonymous ids for people: personal data (ФИО, СНИЛС, Federal Law 152-ФЗ) never leaves
ingestion in clear.

A person's id is a keyed hash (HMAC-SHA-256) of their СНИЛС when the form gives a valid one, else
of their normalised ФИО (``analysis.ingest.people`` decides which row is whom), so the same person
gets the same id in every file and every year, and nobody without the key can tell who it is — or
check a guess. The key comes from the environment variable ``ANALYSIS_PSEUDONYM_KEY`` or from the file
named by ``ANALYSIS_PSEUDONYM_KEY_FILE`` (default ``~/.config/professionalitet/pseudonym.key``),
outside git. Only demonstration data may use the built-in demo key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.sources.normalise import name_key

ENV_KEY = "ANALYSIS_PSEUDONYM_KEY"
ENV_KEY_FILE = "ANALYSIS_PSEUDONYM_KEY_FILE"
DEFAULT_KEY_FILE = Path("~/.config/professionalitet/pseudonym.key")
DEMO_KEY = b"professionalitet-demo-key: not a secret, demonstration data only"


class MissingKeyError(AnalysisError):
    """Real rosters were given but no pseudonymisation key is configured."""


def key_file() -> Path:
    return Path(os.environ.get(ENV_KEY_FILE, str(DEFAULT_KEY_FILE))).expanduser()


def load_key(demo: bool) -> bytes:
    """The configured key; the demo key only when ``demo`` and nothing is configured."""
    if os.environ.get(ENV_KEY):
        return os.environ[ENV_KEY].encode("utf-8")
    path = key_file()
    if path.exists():
        return path.read_bytes().strip()
    if demo:
        return DEMO_KEY
    raise MissingKeyError(
        f"no pseudonymisation key for the rosters' personal data: set {ENV_KEY}, or create one with "
        f"`python -m analysis keygen` (writes {path}); keep the key outside git and the same for "
        "every build, or ids change between builds"
    )


def key_fingerprint(demo: bool) -> str:
    """Which key a build would use, as a digest that reveals nothing of it (an HMAC of a fixed
    text under the key): ``none`` when no key is configured and the demo key is not allowed. A
    replaced key changes it, so the processed tables are made again with the new ids."""
    try:
        key = load_key(demo)
    except MissingKeyError:
        return "none"
    return hmac.new(key, b"professionalitet: which key", hashlib.sha256).hexdigest()[:16]


def write_new_key(path: Path | None = None) -> Path:
    """Create a random key file readable by its owner only; refuse to overwrite one."""
    path = path or key_file()
    if path.exists():
        raise AnalysisError(f"{path} already exists; a new key would change every person id")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def person_id(key: bytes, full_name: str) -> str:
    """The stable pseudonymous id of a person: ``p-`` and 16 hex digits of HMAC-SHA-256."""
    digest = hmac.new(key, name_key(full_name).encode("utf-8"), hashlib.sha256).hexdigest()
    return f"p-{digest[:16]}"


def snils_id(key: bytes, snils: str) -> str:
    """The id of the person with this СНИЛС (11 digits): a keyed hash of the number, apart from
    every ФИО's by a prefix no name has."""
    digest = hmac.new(key, f"снилс:{snils}".encode(), hashlib.sha256).hexdigest()
    return f"p-{digest[:16]}"
