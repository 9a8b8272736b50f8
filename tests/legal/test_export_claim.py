"""An export job is built once however many deliveries of its task run at once.

A Celery task can be delivered twice (a worker lost before its ack) and the thread engine may be
kicked twice: eight threads call ``build_export`` on one queued job at the same moment. The
conditional UPDATE lets one of them claim it (audited in the same transaction) and write the file.
"""

from sqlalchemy import func, select

from portal.constants import AuditAction, ExportFormat, ExportKind, ExportStatus
from portal.extensions import db
from portal.legal.exports import ExportFilters
from portal.legal.jobs import build_export
from portal.legal.storage import exports_folder
from portal.models import AuditEvent, ExportJob
from tests.factories import make_incident, make_staff_user
from tests.legal.support import claimant, make_claim
from tests.live import at_once

DELIVERIES = 8


def test_concurrent_deliveries_of_one_export_task_build_it_once(app, app_ctx):
    incident = make_incident()
    for n in range(3):
        make_claim(claimant(incident, f"C-{n}"), incident)
    job = ExportJob(
        kind=ExportKind.CLAIMANTS,
        file_format=ExportFormat.CSV,
        filters=ExportFilters().to_json(),
        include_payment_details=False,
        status=ExportStatus.QUEUED,
        requested_by_id=make_staff_user("legal").id,
    )
    db.session.add(job)
    db.session.commit()
    job_id = job.id
    files_before = set(exports_folder().iterdir())

    def deliver(_index):
        with app.app_context():
            try:
                built = build_export(job_id)
                return built.status
            finally:
                db.session.remove()

    results = at_once(DELIVERIES, deliver)

    assert not [r for r in results if isinstance(r, Exception)], results
    db.session.expire_all()
    assert db.session.get(ExportJob, job_id).status == ExportStatus.READY
    for action in (AuditAction.EXPORT_STARTED, AuditAction.EXPORT_CREATED):
        events = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == str(action))
        assert db.session.scalar(events) == 1, action
    assert len(set(exports_folder().iterdir()) - files_before) == 1
