import base64
import secrets

import pytest

from portal.crypto import DecryptionError, FieldCipher, KeyConfigurationError


def key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def test_ciphertext_round_trips_and_names_its_key():
    cipher = FieldCipher.from_spec(f"k1:{key()}")
    token = cipher.encrypt("1990-03-27", "person:abc:date_of_birth")
    assert token.startswith("k1.")
    assert "1990" not in token
    assert cipher.decrypt(token, "person:abc:date_of_birth") == "1990-03-27"


def test_value_moved_to_another_record_does_not_decrypt():
    cipher = FieldCipher.from_spec(f"k1:{key()}")
    token = cipher.encrypt("4410", "person:abc:national_id_last4")
    with pytest.raises(DecryptionError):
        cipher.decrypt(token, "person:xyz:national_id_last4")


def test_tampered_ciphertext_is_refused():
    cipher = FieldCipher.from_spec(f"k1:{key()}")
    kid, body = cipher.encrypt("secret", "aad").split(".")
    raw = bytearray(base64.b64decode(body))
    raw[-1] ^= 1
    with pytest.raises(DecryptionError):
        cipher.decrypt(f"{kid}.{base64.b64encode(bytes(raw)).decode()}", "aad")


def test_rotation_reads_old_key_and_writes_new_one():
    old_key, new_key = key(), key()
    old = FieldCipher.from_spec(f"k1:{old_key}")
    token = old.encrypt("value", "aad")
    rotated = FieldCipher.from_spec(f"k2:{new_key},k1:{old_key}")
    assert rotated.decrypt(token, "aad") == "value"
    assert rotated.needs_rotation(token)
    assert rotated.encrypt("value", "aad").startswith("k2.")


def test_unknown_key_id_is_a_clear_error():
    token = FieldCipher.from_spec(f"k1:{key()}").encrypt("v", "aad")
    with pytest.raises(DecryptionError, match="no key with id 'k1'"):
        FieldCipher.from_spec(f"k9:{key()}").decrypt(token, "aad")


@pytest.mark.parametrize("spec", ["", "k1", "k1:notbase64!!", f"k1:{base64.b64encode(b'short').decode()}"])
def test_bad_key_ring_is_refused(spec):
    with pytest.raises(KeyConfigurationError):
        FieldCipher.from_spec(spec)
