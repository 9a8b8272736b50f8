"""Checking a notice code on the public check page: did we issue it, is it still valid, when, how.

Never a sign-in: nothing here starts a session or marks the code used, and the answer names
nothing about the person it belongs to. A hit and a miss run the same two indexed queries (a miss
looks up an id that cannot exist), so the answer takes the same time whether or not the code is real.
"""

from dataclasses import dataclass
from datetime import date

from portal.constants import Channel, NoticeCodeSource
from portal.core.time import utcnow
from portal.crypto.notice_codes import typed_code_hash
from portal.dao.notice_codes import dao_notice_code_facts
from portal.dao.notifications import dao_channel_of_notice_code
from portal.trust.constants import CodeAnswer

# How each kind of code reached its person, when no batch says so.
_CHANNEL_BY_SOURCE = {
    NoticeCodeSource.IMPORT: Channel.LETTER,  # printed by the letter vendor before the portal existed
    NoticeCodeSource.REISSUE: Channel.EMAIL,  # "I lost my code", by email
    NoticeCodeSource.DEMO: Channel.EMAIL,
}


@dataclass(frozen=True)
class CodeCheck:
    answer: CodeAnswer
    issued_on: date | None = None
    channel: str = ""


NO_ID = -1  # looked up when nothing was found, so a miss costs the same queries as a hit


def check_notice_code(text: str) -> CodeCheck:
    from portal.verify.service import reissued_code_expired

    facts = dao_notice_code_facts(typed_code_hash(text))
    code_id, person_id, source, created_at, revoked_at = facts or (NO_ID, NO_ID, "", None, None)
    batch_channel = dao_channel_of_notice_code(person_id, code_id)
    if facts is None:
        return CodeCheck(CodeAnswer.UNKNOWN)
    channel = batch_channel or _CHANNEL_BY_SOURCE.get(source, Channel.LETTER)
    expired = source == NoticeCodeSource.REISSUE and reissued_code_expired(_Reissued(source, created_at), utcnow())
    answer = CodeAnswer.REPLACED if revoked_at is not None or expired else CodeAnswer.VALID
    return CodeCheck(answer, created_at.date(), str(channel))


@dataclass(frozen=True)
class _Reissued:
    """The two fields reissued_code_expired reads, without loading the row."""

    source: str
    created_at: object
