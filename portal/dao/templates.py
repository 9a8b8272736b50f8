"""Notice templates and their immutable versions."""

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    Incident,
    NoticeTemplate,
    NoticeTemplateContent,
    NoticeTemplateVersion,
    StaffUser,
)


def dao_get_templates_with_incidents() -> list[tuple[NoticeTemplate, Incident]]:
    rows = db.session.execute(
        select(NoticeTemplate, Incident)
        .join(Incident, Incident.id == NoticeTemplate.incident_id)
        .order_by(Incident.discovered_on.desc(), Incident.id, NoticeTemplate.name, NoticeTemplate.id)
    )
    return [(template, incident) for template, incident in rows]


def dao_get_template(template_id: int) -> NoticeTemplate | None:
    return db.session.get(NoticeTemplate, template_id)


def dao_get_template_version(version_id: int) -> NoticeTemplateVersion | None:
    return db.session.get(NoticeTemplateVersion, version_id)


def dao_get_template_version_by_number(template_id: int, number: int) -> NoticeTemplateVersion | None:
    return db.session.scalar(
        select(NoticeTemplateVersion).where(
            NoticeTemplateVersion.template_id == template_id, NoticeTemplateVersion.version == number
        )
    )


def dao_get_latest_template_version(template_id: int) -> NoticeTemplateVersion | None:
    return db.session.scalar(
        select(NoticeTemplateVersion)
        .where(NoticeTemplateVersion.template_id == template_id)
        .order_by(NoticeTemplateVersion.version.desc())
        .limit(1)
    )


def dao_get_latest_version_numbers() -> dict[int, int]:
    """Template id → its newest version number, for the template list."""
    rows = db.session.execute(
        select(NoticeTemplateVersion.template_id, func.max(NoticeTemplateVersion.version)).group_by(
            NoticeTemplateVersion.template_id
        )
    )
    return {template_id: number for template_id, number in rows}


def dao_get_template_versions_with_incidents() -> list[tuple[NoticeTemplateVersion, NoticeTemplate, Incident]]:
    """Every version a batch could pin, newest first within each template."""
    rows = db.session.execute(
        select(NoticeTemplateVersion, NoticeTemplate, Incident)
        .join(NoticeTemplate, NoticeTemplate.id == NoticeTemplateVersion.template_id)
        .join(Incident, Incident.id == NoticeTemplate.incident_id)
        .order_by(
            Incident.discovered_on.desc(), NoticeTemplate.name, NoticeTemplate.id, NoticeTemplateVersion.version.desc()
        )
    )
    return [(version, template, incident) for version, template, incident in rows]


def dao_get_template_languages(version_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(NoticeTemplateContent.language)
            .where(NoticeTemplateContent.version_id == version_id, NoticeTemplateContent.jurisdiction == "")
            .order_by(NoticeTemplateContent.language)
        )
    )


def dao_add_template(template: NoticeTemplate) -> NoticeTemplate:
    db.session.add(template)
    db.session.flush()
    return template


def dao_add_template_version(version: NoticeTemplateVersion, contents: list[NoticeTemplateContent]) -> None:
    """Insert a version and its contents; the unique (template, version) pair refuses a racing twin."""
    db.session.add(version)
    db.session.flush()
    for content in contents:
        content.version_id = version.id
        db.session.add(content)
    db.session.flush()


def dao_get_template_versions_with_authors(template_id: int) -> list[tuple[NoticeTemplateVersion, str]]:
    rows = db.session.execute(
        select(NoticeTemplateVersion, StaffUser.email)
        .outerjoin(StaffUser, StaffUser.id == NoticeTemplateVersion.created_by_id)
        .where(NoticeTemplateVersion.template_id == template_id)
        .order_by(NoticeTemplateVersion.version.desc())
    )
    return [(version, email or "") for version, email in rows]


def dao_get_variant_keys(version_id: int) -> list[tuple[str, str]]:
    """(language, jurisdiction) of every content of a template version ('' = the default content)."""
    rows = db.session.execute(
        select(NoticeTemplateContent.language, NoticeTemplateContent.jurisdiction).where(
            NoticeTemplateContent.version_id == version_id
        )
    )
    return [(language, jurisdiction) for language, jurisdiction in rows]
