"""Export jobs: requested on a page, built in the background, downloaded when ready.

The build is a background task (portal/background/: a Celery worker when CELERY_BROKER_URL is
set, else a thread of the web process, or before the request returns in tests). Each way calls
``build_export``, which claims the job with one conditional UPDATE, so a task delivered twice
builds the file once.
"""

import json
import logging
from datetime import timedelta
from pathlib import Path

from portal.audit.chain import record_audit
from portal.background.dispatch import run_task
from portal.background.tasks import BUILD_EXPORT
from portal.constants import (
    ROLES_EXPORTING_CLAIMANTS,
    ROLES_EXPORTING_EXCLUSIONS,
    ROLES_SEEING_FULL_PAYMENT_DETAILS,
    AuditAction,
    ExportFormat,
    ExportKind,
    ExportStatus,
)
from portal.core.time import utcnow
from portal.dao.export_jobs import (
    dao_add_export_job,
    dao_claim_export_job,
    dao_get_export_job,
    dao_get_export_jobs_with_files_before,
    dao_get_export_manifest_event,
    dao_set_export_progress,
)
from portal.extensions import db
from portal.legal.exports import ExportFilters, RowStats, columns_for, count_rows, write_export
from portal.legal.storage import EncryptedExportWriter, exports_folder, iter_decrypted, new_file_name
from portal.models import ExportJob, StaffUser

log = logging.getLogger(__name__)
EXPORT_BUILDER = "system:export"


class ExportNotAllowed(PermissionError):
    """The staff member's role may not make this export (the view answers 403)."""


def request_export(
    kind: str, file_format: str, filters: ExportFilters, include_payment_details: bool, user: StaffUser
) -> ExportJob:
    """Record the request (audited) and start building; returns the job, which may already be ready."""
    allowed = ROLES_EXPORTING_CLAIMANTS if kind == ExportKind.CLAIMANTS else ROLES_EXPORTING_EXCLUSIONS
    if user.role not in allowed:
        raise ExportNotAllowed(f"role {user.role} may not export {kind}")
    if include_payment_details and (kind != ExportKind.CLAIMANTS or user.role not in ROLES_SEEING_FULL_PAYMENT_DETAILS):
        raise ExportNotAllowed(f"role {user.role} may not export full payment details")
    job = dao_add_export_job(
        ExportJob(
            kind=str(kind),
            file_format=str(ExportFormat(file_format)),
            filters=filters.to_json(),
            include_payment_details=include_payment_details,
            status=ExportStatus.QUEUED,
            requested_by_id=user.id,
        )
    )
    record_audit(
        AuditAction.EXPORT_REQUESTED,
        f"export:{job.id}",
        {
            "kind": kind,
            "format": file_format,
            "filters": json.loads(job.filters),
            "payment_details": "full" if include_payment_details else "masked",
        },
    )
    db.session.commit()
    dispatch_export(job.id)
    db.session.expire_all()
    return dao_get_export_job(job.id)


def dispatch_export(job_id: int) -> None:
    run_task(BUILD_EXPORT, job_id)


def _claim_job(job_id: int) -> bool:
    """QUEUED → RUNNING, audited in the same transaction; False for a second delivery of the task."""
    if not dao_claim_export_job(job_id):
        db.session.rollback()
        return False
    record_audit(AuditAction.EXPORT_STARTED, f"export:{job_id}", {}, actor=EXPORT_BUILDER)
    db.session.commit()
    return True


def export_file_name(job: ExportJob) -> str:
    return f"{job.kind}-{job.id}.{job.file_format}"


def manifest_facts(job: ExportJob, filters: ExportFilters, rows: int, stats: RowStats) -> dict:
    """The facts the audit event, the .manifest.json and the XLSX "Manifest" sheet all carry."""
    return {
        "export_id": job.id,
        "kind": job.kind,
        "format": job.file_format,
        "file_name": export_file_name(job),
        "filters": json.loads(filters.to_json()),
        "rows": rows,
        "columns": [column.key for column in columns_for(job.kind)],
        "payment_details": "full" if job.include_payment_details else "masked",
        "unreadable_cells": stats.unreadable_cells,
        "requested_by": f"staff:{job.requested_by_id}",
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "neutralised_prefixes": "= + - @ tab CR LF, at the start or after , ; tab | or a line break (a ' was added)",
    }


def _manifest_sheet(job: ExportJob, filters: ExportFilters, stats: RowStats):
    def lines(rows: int) -> list[list]:
        facts = manifest_facts(job, filters, rows, stats)
        out = [["fact", "value"]]
        for key, value in facts.items():
            out.append([key, json.dumps(value) if isinstance(value, dict | list) else value])
        out.append(["sha256", "In the .manifest.json and the audit log: a file cannot contain its own hash."])
        return out

    return lines


def _progress(job_id: int):
    def report(rows: int) -> None:
        dao_set_export_progress(job_id, rows)
        db.session.commit()

    return report


def build_export(job_id: int) -> ExportJob | None:
    """Write the file (encrypted), then mark the job ready and audit it with the file's SHA-256."""
    if not _claim_job(job_id):
        return dao_get_export_job(job_id)
    job = dao_get_export_job(job_id)
    filters = ExportFilters.from_json(job.filters)
    job.total_rows = count_rows(job.kind, filters)
    db.session.commit()
    path = exports_folder() / new_file_name()
    writer = EncryptedExportWriter(path, job.id)
    stats = RowStats()
    try:
        count = write_export(
            writer,
            job.kind,
            job.file_format,
            filters,
            job.include_payment_details,
            stats,
            _manifest_sheet(job, filters, stats),
            _progress(job.id),
            job.total_rows,
        )
        writer.close()
    except Exception as exc:
        log.exception("export %s failed", job_id)
        writer.abandon()
        path.unlink(missing_ok=True)
        db.session.rollback()
        job = dao_get_export_job(job_id)
        job.status, job.error, job.finished_at = ExportStatus.FAILED, f"{type(exc).__name__}: {exc}"[:500], utcnow()
        record_audit(
            AuditAction.EXPORT_FAILED,
            f"export:{job.id}",
            {"error": type(exc).__name__},
            actor=f"staff:{job.requested_by_id}",
        )
        db.session.commit()
        return job
    job.status, job.rows_written, job.file_name = ExportStatus.READY, count, path.name
    job.file_bytes, job.sha256, job.finished_at = writer.plain_bytes, writer.sha256, utcnow()
    facts = manifest_facts(job, filters, count, stats) | {"sha256": writer.sha256, "bytes": writer.plain_bytes}
    record_audit(AuditAction.EXPORT_CREATED, f"export:{job.id}", facts, actor=f"staff:{job.requested_by_id}")
    db.session.commit()
    return job


def get_job_for(user: StaffUser, job_id: int) -> ExportJob | None:
    """A job only for the staff member who asked for it: a claimant list is not passed round the office."""
    job = dao_get_export_job(job_id)
    return job if job is not None and job.requested_by_id == user.id else None


def export_manifest(job: ExportJob) -> dict | None:
    event = dao_get_export_manifest_event(job.id)
    return json.loads(event.details) if event else None


def open_export(job: ExportJob):
    """The plaintext, streamed; audited as a download."""
    path = Path(exports_folder()) / job.file_name
    if not path.is_file():  # removed from instance/exports (retention, or by hand)
        raise FileNotFoundError(job.file_name)
    record_audit(AuditAction.EXPORT_DOWNLOADED, f"export:{job.id}", {"sha256": job.sha256})
    db.session.commit()
    return iter_decrypted(path, job.id)


def purge_exports(older_than_days: int) -> list[int]:
    """Delete the files of exports made more than ``older_than_days`` ago; the jobs and their audit
    events stay (the manifest still says what was exported, and its hash). Returns the job ids."""
    folder = exports_folder()
    purged = []
    for job in dao_get_export_jobs_with_files_before(utcnow() - timedelta(days=older_than_days)):
        (folder / job.file_name).unlink(missing_ok=True)
        job.file_name = ""
        purged.append(job.id)
    if purged:
        record_audit(AuditAction.EXPORTS_PURGED, "exports", {"ids": purged, "older_than_days": older_than_days})
    db.session.commit()
    return purged
