"""Claiming chunks: due rows ``queued`` -> ``sending`` with fresh notice codes and the claim's
token, a group of up to SEND_CLAIM_CHUNKS chunks in one transaction; each chunk comes back as a
plan its request is built from (``posting.build_request``), where it is posted.

The whole state machine, in the order of its commits (docs/sending.md):

1. claim (here): rows go ``queued`` -> ``sending`` with fresh notice codes and the claim's token,
   COMMIT (a group of up to SEND_CLAIM_CHUNKS chunks per commit);
2. mark (posting.py): right before a chunk's request leaves, its rows that still carry the token go
   ``sending`` -> ``posting``, COMMIT; only those are posted (none if the batch was cancelled or
   stopped, or the reaper, a cancel or an admin took the rows meanwhile);
3. post (posting.py) the marked rows to the mail backend (nothing is locked while we wait for SendGrid);
4. settle (settle.py): record the answer for the ``posting`` rows and put any row still only
   ``sending`` back in the queue, COMMIT, retried on a fresh connection if the database refuses.

A crash before 2 leaves rows ``sending``: certainly not sent, the reaper puts them back in the
queue. A crash between 2 and 4 leaves that one chunk ``posting``: it may have reached SendGrid,
so the reaper makes it ``unknown`` and an admin decides. Nothing here ever sends a row that is
not ``queued``, so nobody is mailed twice by a retry.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from portal.constants import NoticeCodeSource
from portal.constants import NotificationStatus as S
from portal.core.db_retry import run_transaction
from portal.core.time import utcnow
from portal.crypto.notice_codes import generate_notice_codes, notice_code_hashes
from portal.dao.batches import (
    dao_find_next_send_group,
    dao_get_batch,
    dao_get_template_contents,
)
from portal.dao.incidents import dao_get_incident
from portal.dao.notice_codes import dao_delete_notice_codes
from portal.dao.notification_queue import dao_claim_with_codes, dao_select_candidates
from portal.dao.notifications import (
    dao_mark_failed,
    dao_release_token,
)
from portal.mail.national_ids import national_id_names
from portal.mail.rendering import (
    NoticeSkeleton,
    category_title_lookup,
    incident_values,
    notice_skeleton,
)
from portal.sending.retry import db_attempts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChunkPlan:
    """What one request is built from, where it is posted (``build_request``): plain values, so a
    posting process can be handed it. The parent has done all that needs the app or the database."""

    skeleton: NoticeSkeleton
    language: str
    titles: dict[str, tuple[int, str]]  # category code -> (severity rank, title in ``language``)
    # notification id, first name, last name, email, exposed categories joined by commas, printed code,
    # what the person's national id is called where they live (in ``language``)
    rows: list[tuple[int, str, str, str, str, str, str]]


@dataclass(frozen=True)
class ClaimedChunk:
    batch_id: int
    plan: ChunkPlan | None  # None when none of the claimed rows could be mailed
    token: str = ""  # the claim's token: the rows are ours only while they carry it

    @property
    def notification_ids(self) -> list[int]:
        return [row[0] for row in self.plan.rows] if self.plan else []


def pick_content(contents: list, language: str, jurisdiction: str):
    """The content for (language, jurisdiction); for no jurisdiction, the language's default, else English's.

    A recipient frozen with a jurisdiction's variant gets exactly that variant or nothing (the
    notification fails, saying so): never the default text, which that jurisdiction's law may
    forbid (Massachusetts forbids describing the breach). Approval checks every recipient's rules
    first (portal/legal/compliance.py), so this refusal is the last line, not the usual path.
    """
    by_key = {(c.language, c.jurisdiction): c for c in contents}
    keys = ((language, jurisdiction),) if jurisdiction else ((language, ""), ("en", ""))
    for key in keys:
        if key in by_key:
            return by_key[key]
    return None


def _content_for(version_id: int, language: str, jurisdiction: str) -> tuple[str, str, str] | None:
    """(language, subject, body) of the content to use (compiled skeletons are cached by text)."""
    content = pick_content(dao_get_template_contents(version_id), language, jurisdiction)
    return (content.language, content.subject, content.body_markdown) if content else None


@dataclass(frozen=True)
class _Content:
    subject: str
    body_markdown: str


def claim_next_chunks(
    now: datetime | None = None, batch_id: int | None = None, max_chunks: int | None = None
) -> list[ClaimedChunk]:
    """Claim up to ``max_chunks`` (default SEND_CLAIM_CHUNKS) chunks of due rows in ONE transaction.

    Each chunk holds at most SEND_CHUNK_SIZE rows sharing one content. One commit for several
    chunks matters on SQLite, which writes every page a transaction dirtied in full: the notice
    codes' index pages are shared by the chunks, so they are written once, not once per chunk.
    Each chunk comes back as a plan; its request is built where it is posted (``build_request``),
    on the posting thread or in the posting process, never under the write lock.
    """
    wanted = max_chunks or current_app.config["SEND_CLAIM_CHUNKS"]
    memo: dict = {}  # what the group's chunks share (batch, content, incident values), looked up once
    token = secrets.token_hex(16)

    tries = 0

    def claim() -> list:
        nonlocal tries
        tries += 1
        memo.clear()
        claimed: list[tuple[int, _Issued | None, tuple | None]] = []
        moment = now or utcnow()
        if tries > 1:
            # A connection lost at COMMIT may have committed it: whatever that attempt claimed
            # under our token goes back to the queue before we claim again.
            dao_release_token(token, moment)
        while len(claimed) < wanted:
            step = _claim_one(moment, batch_id, memo, token)
            if step is None:
                break
            claimed.append(step)
        return claimed

    # The commit releases the write lock before the CPU work; a refused claim claimed nothing.
    claimed = run_transaction(claim, attempts=db_attempts(), what="claiming a chunk")
    return [
        ClaimedChunk(bid, _plan(issued, content, memo) if issued else None, token) for bid, issued, content in claimed
    ]


def _remember(memo: dict, key: tuple, compute):
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _claim_one(
    now: datetime, batch_id: int | None, memo: dict, token: str
) -> tuple[int, "_Issued | None", tuple | None] | None:
    """Claim one chunk inside the caller's transaction: (batch id, its rows and codes, its content)."""
    group = dao_find_next_send_group(now, batch_id)
    if group is None:
        return None
    group_batch_id, version_id, language, jurisdiction = group
    limit = current_app.config["SEND_CHUNK_SIZE"]
    incident_id = _remember(memo, ("incident", group_batch_id), lambda: dao_get_batch(group_batch_id).incident_id)
    candidates = dao_select_candidates(group_batch_id, incident_id, language, jurisdiction, now, limit)
    content = _remember(
        memo, ("content", version_id, language, jurisdiction), lambda: _content_for(version_id, language, jurisdiction)
    )
    if content is None or not candidates:
        if candidates:
            reason = f"The template has no content in {language!r}" + (f" for {jurisdiction}" if jurisdiction else "")
            dao_mark_failed([c[0] for c in candidates], reason, now, from_statuses=(S.QUEUED,))
        return (group_batch_id, None, None)
    shared = _remember(
        memo, ("shared", incident_id, content[0]), lambda: incident_values(dao_get_incident(incident_id), content[0])
    )
    return (group_batch_id, _issue_codes(incident_id, candidates, shared, now, token), content)


@dataclass(frozen=True)
class _Issued:
    shared: dict[str, str]
    # notification id, person id, first, last, email, exposed categories joined by commas, country
    recipients: list[tuple[int, int, str, str, str, str, str]]
    codes: list[tuple[str, str]]


def _issue_codes(
    incident_id: int, candidates: list[tuple], shared: dict[str, str], now: datetime, token: str
) -> _Issued | None:
    """Give each candidate a fresh notice code (only its hash is stored) and claim it with the code."""
    unmailable = [c[0] for c in candidates if not c[4]]
    if unmailable:
        dao_mark_failed(unmailable, "No email address on the register", now, from_statuses=(S.QUEUED,))
    mailable = [c for c in candidates if c[4]]
    if not mailable:
        return None
    codes = generate_notice_codes(len(mailable))
    hashes = notice_code_hashes([normalized for _, normalized in codes])
    claimed = dao_claim_with_codes(
        incident_id,
        NoticeCodeSource.NOTICE.value,
        now,
        [(c[0], c[1], h) for c, h in zip(mailable, hashes, strict=True)],
        token,
    )
    if len(claimed) < len(mailable):  # another sender (or a cancel) got there first
        dao_delete_notice_codes([h for c, h in zip(mailable, hashes, strict=True) if c[0] not in claimed])
        kept = [(c, code) for c, code in zip(mailable, codes, strict=True) if c[0] in claimed]
        mailable, codes = [c for c, _ in kept], [code for _, code in kept]
    if not mailable:
        return None
    return _Issued(shared, mailable, codes)


def _plan(issued: _Issued, content, memo: dict) -> ChunkPlan:
    content_language, subject, body = content
    skeleton = notice_skeleton(_Content(subject, body), issued.shared)
    titles = _remember(memo, ("titles", content_language), lambda: category_title_lookup(content_language))
    id_names, general = _remember(memo, ("ids", content_language), lambda: national_id_names(content_language))
    rows = [
        (nid, first, last, email, categories, printed, id_names.get(country, general))
        for (nid, _, first, last, email, categories, country), (printed, _) in zip(
            issued.recipients, issued.codes, strict=True
        )
    ]
    return ChunkPlan(skeleton, content_language, titles, rows)
