"""``flask portal audit head`` and ``flask portal audit verify``: anchoring and checking the chain."""

import sys

import click
from flask.cli import AppGroup

from portal.audit.chain import Anchor, head_anchor, verify_chain


@click.group("audit", cls=AppGroup)
def audit_group():
    """The audit log's hash chain."""


@audit_group.command("head")
def head_command():
    """Print the newest event as an anchor, to keep outside the database (e.g. mailed to counsel daily)."""
    head = head_anchor()
    if head is None:
        raise click.ClickException("The audit log is empty: there is nothing to anchor yet.")
    anchor, at = head
    click.echo(f"{anchor} {at.strftime('%Y-%m-%dT%H:%M:%SZ')}")


@audit_group.command("verify")
@click.option("--anchor", "anchor_text", default="", help="An anchor printed earlier by `audit head` (SEQ:HASH).")
@click.option("--full", is_flag=True, help="Check from the first event, not from the last verified point.")
def verify_command(anchor_text, full):
    """Check the chain from the last verified point (or the first event) to the newest, and against an anchor."""
    try:
        anchor = Anchor.parse(anchor_text) if anchor_text else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--anchor") from error
    report = verify_chain(full=full, anchor=anchor)
    if not report.intact:
        click.echo(f"BROKEN at event {report.problem_seq}: {report.problem}", err=True)
        sys.exit(1)
    against = f", and matches anchor {anchor.seq}" if anchor else ""
    click.echo(
        f"Intact: events {report.checked_from} to {report.head_seq} checked ({report.checked} new){against}."
        if report.head_seq
        else "Intact: the audit log is empty."
    )
