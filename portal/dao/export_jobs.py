"""Export jobs: a file legal asked for, built in the background (queued, running, ready or failed),
and its manifest in the audit log. The claimant export's rows are read in claimant_exports.py."""

from sqlalchemy import select, update

from portal.constants import ExportStatus
from portal.extensions import db
from portal.models import (
    AuditEvent,
    ExportJob,
)


def dao_claim_export_job(job_id: int) -> bool:
    """QUEUED → RUNNING; False if another process (a task delivered twice) claimed it first."""
    result = db.session.execute(
        update(ExportJob)
        .where(ExportJob.id == job_id, ExportJob.status == ExportStatus.QUEUED)
        .values(status=ExportStatus.RUNNING)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def dao_add_export_job(job: ExportJob) -> ExportJob:
    db.session.add(job)
    db.session.flush()
    return job


def dao_get_export_job(job_id: int) -> ExportJob | None:
    return db.session.get(ExportJob, job_id)


def dao_get_recent_export_jobs(limit: int = 20) -> list[ExportJob]:
    return list(db.session.scalars(select(ExportJob).order_by(ExportJob.id.desc()).limit(limit)))


def dao_set_export_progress(job_id: int, rows_written: int) -> None:
    db.session.execute(
        update(ExportJob)
        .where(ExportJob.id == job_id)
        .values(rows_written=rows_written)
        .execution_options(synchronize_session=False)
    )


def dao_get_export_manifest_event(job_id: int) -> AuditEvent | None:
    """The audit event written when the file was finished: its details are the file's manifest."""
    return db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "export.created", AuditEvent.target == f"export:{job_id}")
        .order_by(AuditEvent.id.desc())
    )


def dao_get_export_jobs_with_files_before(before) -> list[ExportJob]:
    return list(
        db.session.scalars(
            select(ExportJob).where(ExportJob.file_name != "", ExportJob.created_at < before).order_by(ExportJob.id)
        )
    )
