"""The import's bulk sealing must produce exactly what the field cipher and the keyed hashes produce and read."""

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.crypto import crypto, person_field_aad
from portal.crypto.bulk import PersonSealer
from portal.crypto.notice_codes import notice_code_hash


def test_tokens_decrypt_with_the_field_cipher_for_that_person_and_field_only(app_ctx):
    sealer = PersonSealer(crypto())
    uid, nonces = sealer.new_uid_and_nonces()
    token = sealer.seal(uid, "date_of_birth", "1990-03-27", nonces, 2)
    cipher = crypto().cipher
    assert token.startswith(f"{cipher.current_kid}.")
    assert cipher.decrypt(token, person_field_aad(uid, "date_of_birth")) == "1990-03-27"
    assert not cipher.needs_rotation(token)
    for wrong in (person_field_aad(uid, "phone"), person_field_aad("0" * 32, "date_of_birth")):
        try:
            cipher.decrypt(token, wrong)
        except ValueError:
            continue
        raise AssertionError("a token decrypted under the wrong associated data")


def test_each_field_gets_its_own_nonce_and_empty_values_stay_empty(app_ctx):
    sealer = PersonSealer(crypto())
    uid, nonces = sealer.new_uid_and_nonces()
    tokens = [sealer.seal(uid, "phone", "+254 700 000000", nonces, slot) for slot in range(4)]
    assert len(set(tokens)) == 4
    assert sealer.seal(uid, "phone", "", nonces, 0) is None


def test_uids_are_uuid4_hex(app_ctx):
    sealer = PersonSealer(crypto())
    uids = {sealer.new_uid_and_nonces()[0] for _ in range(200)}
    assert len(uids) == 200
    for uid in uids:
        parsed = uuid.UUID(hex=uid)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122 and parsed.hex == uid


@settings(max_examples=50, deadline=None)
@given(
    email=st.emails() | st.just("") | st.text(max_size=30),
    code=st.text(alphabet="0123456789ABCDEFGHJKMNPQRSTVWXYZ", min_size=12, max_size=12),
)
def test_keyed_hashes_match_the_one_value_at_a_time_hashes(app, email, code):
    with app.app_context():
        suite, sealer = crypto(), PersonSealer(crypto())
        assert sealer.email_index(email) == (suite.email_index(email) if email else None)
        assert sealer.notice_code_hash(code) == notice_code_hash(code)
