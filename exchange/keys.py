"""Exchange keys: each party's SM2 signing key pair and each partner's SM4 data keys, by key id.

The keyring is a JSON file (EXCHANGE_KEYRING). The platform holds its own private key and the
partners' public keys; in development the sandbox, standing in for every partner, also holds the
partners' private keys. `python -m exchange.keys init PATH` writes a development keyring once, and later adds keys for partners added since (existing keys are never replaced).
Rotation: add a new data key id and make it active; old ids still open old messages.

Layout (docs/exchange.md §1.2): {"parties": {code: {"sign_public": hex 64 bytes x||y,
"sign_private": hex 32 bytes (own key only), "sign_id": signer id (optional),
"platform_sign_id": the platform's signer id towards this partner (optional),
"data_keys": {key_id: hex 16 bytes}, "active_key": key_id}}}.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import gmssl_pyx

from exchange.partners import PARTNERS, PLATFORM


DEFAULT_SIGNER_ID = "1234567812345678"  # GM/T 0009's default ID for the Z_A of SM3withSM2
MAX_SIGNER_ID_BYTES = 8191  # ENTL is the id's length in bits, in two bytes


class KeyError_(Exception):
    pass


@dataclass
class Keyring:
    data: dict

    @classmethod
    def load(cls, path: str | Path) -> "Keyring":
        return cls(json.loads(Path(path).read_text()))

    def _party(self, code: str) -> dict:
        party = self.data["parties"].get(code)
        if party is None:
            raise KeyError_(f"unknown party {code}")
        return party

    def sign_private(self, code: str) -> bytes:
        key = self._party(code).get("sign_private")
        if not key:
            raise KeyError_(f"no private key for {code}")
        return bytes.fromhex(key)

    def sign_public(self, code: str) -> bytes:
        return bytes.fromhex(self._party(code)["sign_public"])

    def signer_id(self, signer: str, partner: str) -> bytes:
        """The signer id (ID_A of Z_A) the `signer` uses in an exchange with `partner`, UTF-8 encoded.

        A partner signs with its entry's `sign_id`. The platform signs with the partner entry's
        `platform_sign_id` when that partner assigned us one, else with its own entry's `sign_id`.
        Both default to 1234567812345678.
        """
        value = None
        if signer == PLATFORM:
            value = self._party(partner).get("platform_sign_id") if partner != PLATFORM else None
            value = value or self._party(PLATFORM).get("sign_id")
        else:
            value = self._party(signer).get("sign_id")
        if value is not None and not isinstance(value, str):
            raise KeyError_(f"signer id of {signer} is not a string")
        raw = (value or DEFAULT_SIGNER_ID).encode()
        if len(raw) > MAX_SIGNER_ID_BYTES:
            raise KeyError_(f"signer id of {signer} is longer than {MAX_SIGNER_ID_BYTES} bytes")
        return raw

    def data_key(self, partner: str, key_id: str) -> bytes:
        key = self._party(partner).get("data_keys", {}).get(key_id)
        if not key:
            raise KeyError_(f"no data key {key_id} for {partner}")
        return bytes.fromhex(key)

    def active_key_id(self, partner: str) -> str:
        return self._party(partner)["active_key"]

    def rotate(self, partner: str) -> str:
        party = self._party(partner)
        new_id = f"k{len(party['data_keys']) + 1}"
        party["data_keys"][new_id] = os.urandom(16).hex()
        party["active_key"] = new_id
        return new_id


# In development one partner signs with its own signer id rather than the default, so the
# sandbox and the tests exercise a per-partner id end to end.
DEV_SIGNER_IDS = {"real_estate_trading": "JMFC-JYXT-0001"}


def _new_party(code: str) -> dict:
    pub, priv = gmssl_pyx.sm2_key_generate()
    party = {"sign_public": pub.hex(), "sign_private": priv.hex()}
    if code != PLATFORM:
        party |= {"data_keys": {"k1": os.urandom(16).hex()}, "active_key": "k1"}
    if code in DEV_SIGNER_IDS:
        party["sign_id"] = DEV_SIGNER_IDS[code]
    return party


def generate() -> dict:
    return {"parties": {code: _new_party(code) for code in [PLATFORM, *PARTNERS]}}


def _write(p: Path, ring: dict) -> None:
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(".tmp")
    tmp.write_text(json.dumps(ring, indent=1))
    os.chmod(tmp, 0o600)
    os.replace(tmp, p)


def init(path: str | Path) -> str:
    """Write a development keyring if none exists ("written"), or add keys for partners added to
    the registry since it was made ("added: <codes>"), never touching existing keys ("exists")."""
    p = Path(path)
    if not p.exists():
        _write(p, generate())
        return "written"
    ring = json.loads(p.read_text())
    missing = [c for c in [PLATFORM, *PARTNERS] if c not in ring.get("parties", {})]
    if not missing:
        return "exists"
    ring.setdefault("parties", {}).update({c: _new_party(c) for c in missing})
    _write(p, ring)
    return "added: " + ", ".join(missing)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "init":
        print("usage: python -m exchange.keys init PATH")
        sys.exit(2)
    print(init(sys.argv[2]), sys.argv[2])
