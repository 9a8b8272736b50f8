"""A new code by post, on the "I lost my code" pages. Same answer whether or not the details match."""

from flask import current_app, redirect, render_template, request, session, url_for

from portal.core.text import fold
from portal.crypto import crypto
from portal.extensions import limiter
from portal.trust import bp
from portal.trust.forms import LetterByPostForm, country_choices
from portal.trust.letters_by_post import request_letter_by_post
from portal.trust.organisation import current_organisation

COUNTRY_KEY = "letter_by_post_country"  # only which phones to show on the next page


def _details_key() -> str:
    """A keyed hash of the name and birth date typed: one person's details are tried a few times a day."""
    form = request.form
    typed = "|".join(
        [
            fold(form.get("last_name", "")),
            *(form.get(f"date_of_birth-{p}", "").strip() for p in ("day", "month", "year")),
        ]
    )
    return crypto().email_index(typed)[:32]


@bp.route("/lost-code/by-post", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOST_CODE_LIMIT_PER_IP"], methods=["POST"], scope="letter-post-ip")
@limiter.limit("3 per day", methods=["POST"], key_func=_details_key, scope="letter-post-details")
def lost_code_by_post():
    form = LetterByPostForm()
    form.country.choices = country_choices()
    if form.validate_on_submit():
        request_letter_by_post(
            form.first_name.data, form.last_name.data, form.date_of_birth.data, form.postal_code.data
        )
        session[COUNTRY_KEY] = form.country.data
        return redirect(url_for("trust.lost_code_by_post_sent"))
    lines = current_organisation().help_lines_for(form.country.data or None)
    return render_template("trust/lost_code_post.html", form=form, lines=lines), 400 if form.errors else 200


@bp.route("/lost-code/by-post/sent")
def lost_code_by_post_sent():
    """The same page whether or not anything matched, with the help-desk phones for the country chosen."""
    lines = current_organisation().help_lines_for(session.get(COUNTRY_KEY))
    return render_template("trust/lost_code_post_sent.html", lines=lines)
