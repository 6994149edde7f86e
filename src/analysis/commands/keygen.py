"""`python -m analysis keygen`: create the key that pseudonymises people in the rosters."""

from __future__ import annotations

from pathlib import Path

from analysis.ingest.pseudonym import ENV_KEY, ENV_KEY_FILE, key_file, write_new_key


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "keygen",
        help="create the pseudonymisation key for the rosters' personal data",
        description="Write a new random key to the key file (default "
        f"~/.config/professionalitet/pseudonym.key, or ${ENV_KEY_FILE}); ingestion hashes every ФИО "
        "with it. Keep it outside git, back it up, and use the same key for every build: a new key "
        f"gives everybody new ids. ${ENV_KEY} overrides the file.",
    )
    parser.add_argument(
        "--out", type=Path, default=None, metavar="FILE", help=f"where to write (default: {key_file()})"
    )
    parser.set_defaults(func=run)


def run(args) -> int:
    path = write_new_key(args.out)
    print(f"key written to {path} (readable by you only); keep it out of git and back it up")
    return 0
