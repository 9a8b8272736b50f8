"""Applying the retention schedule: what is due is purged or anonymised, incident by incident, each in
one transaction with its audit row; an incident under a legal hold is refused and said so."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from portal.audit.chain import record_audit
from portal.batches.letters import letters_folder
from portal.constants import AuditAction
from portal.core.time import utctoday
from portal.dao.incidents import dao_get_all_incidents
from portal.dao.retention import (
    dao_anonymise_claim_fields,
    dao_forget_letter_files,
    dao_get_hold,
    dao_holds,
    dao_letter_files_of_incident,
    dao_lock_incident,
    dao_people_only_in,
    dao_proof_files_of_incident,
    dao_purge_notice_codes,
    dao_purge_outbox_before,
    dao_purge_payment_details,
    dao_purge_proof_rows,
)
from portal.extensions import db
from portal.privacy.erasure import delete_files, erase_person
from portal.privacy.schedule import retention_kinds, schedule_for


@dataclass
class PurgeReport:
    removed: dict[str, dict[str, int]] = field(default_factory=dict)  # "incident:3" -> kind -> rows
    refused: list[str] = field(default_factory=list)  # why something was not touched

    def lines(self) -> list[str]:
        out = [f"{target}: {kind} {count}" for target, kinds in self.removed.items() for kind, count in kinds.items()]
        return out + [f"REFUSED {reason}" for reason in self.refused]


def _apply(
    incident_id: int, kind: str, register_blocked: list[int], actor: str, files: list[str], letters: list[str]
) -> int:
    if kind == "notice_codes":
        return dao_purge_notice_codes(incident_id)
    if kind == "letter_files":
        letters += dao_letter_files_of_incident(incident_id)
        return dao_forget_letter_files(incident_id)
    if kind == "payment_details":
        return dao_purge_payment_details(incident_id)
    if kind == "proof_files":
        files += dao_proof_files_of_incident(incident_id)
        return dao_purge_proof_rows(incident_id)
    if kind == "claim_personal_fields":
        return dao_anonymise_claim_fields(incident_id)
    if kind == "register":
        people = dao_people_only_in(incident_id, register_blocked)
        for person_id in people:
            files += erase_person(person_id, actor)
        return len(people)
    return 0


def delete_letter_files(names: list[str]) -> None:
    for name in names:
        if name and "/" not in name and not name.startswith("."):
            (letters_folder() / name).unlink(missing_ok=True)


def _register_blocked(today: date, holds) -> list[int]:
    """Incidents whose register is not yet due (or is held): their people are kept whole."""
    blocked = []
    for incident in dao_get_all_incidents():
        register = [due for due in schedule_for(incident, today) if due.kind.code == "register"]
        if incident.id in holds or not (register and register[0].is_due(today)):
            blocked.append(incident.id)
    return blocked


def purge_on_schedule() -> PurgeReport:
    """The daily background task (Celery beat): what `flask portal purge` does, as the system."""
    return purge(utctoday(), actor="system")


def purge(today: date, actor: str = "system") -> PurgeReport:
    report = PurgeReport()
    holds = dao_holds()
    blocked = _register_blocked(today, holds)
    for incident in dao_get_all_incidents():
        if incident.id in holds:
            report.refused.append(f"incident:{incident.id} is under a legal hold ({holds[incident.id].reason})")
            continue
        due = [d.kind.code for d in schedule_for(incident, today) if d.is_due(today) and d.kind.after != "message_sent"]
        if not due:
            continue
        dao_lock_incident(incident.id)
        if dao_get_hold(incident.id) is not None:  # set while we were deciding: it wins
            db.session.rollback()
            report.refused.append(f"incident:{incident.id} is under a legal hold")
            continue
        files: list[str] = []
        letters: list[str] = []
        counts = {kind: _apply(incident.id, kind, blocked, actor, files, letters) for kind in due}
        counts["files"] = len(files) + len(letters)
        if not any(counts.values()):  # done already (an earlier run, or one that ran at the same time)
            db.session.rollback()
            continue
        record_audit(AuditAction.RETENTION_PURGED, f"incident:{incident.id}", counts, actor=actor)
        db.session.commit()
        delete_files(files)
        delete_letter_files(letters)
        report.removed[f"incident:{incident.id}"] = counts
    _purge_outbox(today, holds, actor, report)
    return report


def _purge_outbox(today: date, holds, actor: str, report: PurgeReport) -> None:
    """The outbox is not tied to an incident, so any hold keeps all of it."""
    for kind in retention_kinds():
        if kind.after != "message_sent":
            continue
        if holds:
            report.refused.append(f"{kind.code}: a legal hold is set, so no message is deleted")
            continue
        cutoff = datetime.combine(today - timedelta(days=kind.days), datetime.min.time(), tzinfo=UTC)
        count = dao_purge_outbox_before(cutoff)
        if not count:
            db.session.rollback()
            continue
        record_audit(AuditAction.RETENTION_PURGED, kind.code, {kind.code: count, "before": cutoff}, actor=actor)
        db.session.commit()
        report.removed[kind.code] = {kind.code: count}
