"""Ending every session of a staff member at once: the one call for sign-out, deactivation and a TOTP reset.

Sessions are kept server-side (portal/web/sessions.py), but a person may hold several (two browsers,
a phone) and the store cannot list them by person. So each staff session records, at sign-in,
the account's ``session_epoch``; every request compares it with the account's current value
(``load_staff_user`` in auth.py) and a session holding an older one is signed out. Raising the
epoch ends them all, wherever they are, whichever store holds them, on the very next request.
"""

from portal.dao.staff import dao_raise_session_epoch


def end_every_session_of(staff_id: int) -> None:
    """End every session of staff member ``staff_id`` (every browser and device) at once.

    Use it whenever someone must stop acting as this account: signing out (service.record_sign_out),
    deactivating the account (service.deactivate_staff), resetting their TOTP secret
    (service.reset_staff_totp), and from the staff-accounts screens for anything else, such as a
    role change or a suspected stolen session.

    It writes in the caller's transaction and does not commit: commit it together with the audit
    row that says why, so the sessions end exactly when the record of it is kept. Signing in
    again afterwards starts a fresh session, which this call does not touch.
    """
    dao_raise_session_epoch(staff_id)
