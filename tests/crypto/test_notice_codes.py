"""The one notice-code module: codes are generated, normalised and hashed the same way by every issuer."""

import hashlib
import hmac

import pytest

from portal.crypto.notice_codes import (
    CROCKFORD,
    NoticeCodeHasher,
    fresh_notice_code,
    generate_notice_code,
    generate_notice_codes,
    normalize_notice_code,
    notice_code_hash,
    notice_code_hashes,
    typed_code_hash,
)

# A fixed vector, computed by the hash as it was written before the crypto package (three copies
# of ``HMAC-SHA256(key, "notice-code\x00" + code)`` cut to 16 hex characters): the key is bytes
# 0..31, the code ABCD-EFGH-JKMN. Rows hashed then must still verify.
VECTOR_KEY = bytes(range(32))
VECTOR_CODE = "ABCDEFGHJKMN"
VECTOR_HASH = "86bd73a22d8fe57e"


def _hash_as_written_before(key: bytes, normalized: str) -> str:
    return hmac.new(key, f"notice-code\x00{normalized}".encode(), hashlib.sha256).hexdigest()[:16]


def test_a_code_hashed_by_the_old_function_verifies_with_the_new_one():
    assert _hash_as_written_before(VECTOR_KEY, VECTOR_CODE) == VECTOR_HASH
    assert NoticeCodeHasher(VECTOR_KEY)(VECTOR_CODE) == VECTOR_HASH
    assert NoticeCodeHasher(VECTOR_KEY)(normalize_notice_code("abcd efgh jkmn")) == VECTOR_HASH


def test_the_app_hash_is_the_old_hash_under_the_notice_code_key(app_ctx):
    from portal.crypto import crypto

    _printed, normalized = generate_notice_codes(1)[0]
    assert notice_code_hash(normalized) == _hash_as_written_before(crypto().codes.key, normalized)
    assert notice_code_hash(normalized) == crypto().codes.digest("notice-code", normalized)[:16]


def test_a_fresh_code_comes_with_the_hash_of_its_printed_form(app_ctx):
    printed, code_hash = fresh_notice_code()
    assert code_hash == notice_code_hash(normalize_notice_code(printed))


def test_what_a_person_types_hashes_to_the_stored_hash_however_it_is_spaced(app_ctx):
    printed, code_hash = fresh_notice_code()
    assert typed_code_hash(f"  {printed.lower().replace('-', ' ')} ") == code_hash


@pytest.mark.parametrize("typed", ["hello", "", "x" * 500])
def test_text_that_cannot_be_a_code_still_gets_a_hash_never_itself(app_ctx, typed):
    hashed = typed_code_hash(typed)
    assert len(hashed) == 16 and typed.upper()[:16] != hashed
    assert typed_code_hash("x" * 40) == typed_code_hash("x" * 41)  # capped, so a long paste costs nothing


def test_notice_codes_are_grouped_crockford_and_normalise_forgivingly():
    code = generate_notice_code()
    assert len(code) == 14 and code.count("-") == 2
    typed = code.lower().replace("-", " ")
    assert normalize_notice_code(typed) == code.replace("-", "")
    assert normalize_notice_code("OIL0-0000-0000") == "011000000000"
    assert normalize_notice_code("too-short") == ""
    assert normalize_notice_code("UUUU-UUUU-UUUU") == ""  # U is not in Crockford's alphabet


def test_codes_do_not_repeat():
    assert len({generate_notice_code() for _ in range(2000)}) == 2000


def test_notice_codes_are_crockford_groups_of_four_and_distinct():
    codes = generate_notice_codes(5000)
    assert len({normalized for _, normalized in codes}) == 5000
    for printed, normalized in codes:
        assert len(printed) == 14 and printed[4] == printed[9] == "-"
        assert normalize_notice_code(printed) == normalized and set(normalized) <= set(CROCKFORD)


def test_chunk_hashing_matches_the_one_code_hash(app_ctx):

    normalized = [n for _, n in generate_notice_codes(20)]
    assert notice_code_hashes(normalized) == [notice_code_hash(n) for n in normalized]
