"""What vulture (``make lint``) cannot see being used: names that frameworks, templates and tests
reach by name. Each entry is an expression that "uses" the name; the comment says where it is defined.
Add to it only what a framework really calls; dead code is deleted instead."""
# ruff: noqa: B018, F821

# Settings: Flask and its extensions read them by name from app.config.
_.LOST_CODE_LIMIT_PER_IP  # portal/config.py
_.REISSUED_CODE_VALID_HOURS  # portal/config.py
_.STAFF_INVITE_HOURS  # portal/config.py
_.STAFF_LOGIN_LIMIT_PER_IP  # portal/config.py
_.STAFF_LOGIN_LIMIT_PER_ACCOUNT  # portal/config.py
_.MAIL_BACKEND  # portal/config.py
_.MAIL_FROM  # portal/config.py
_.PUBLIC_URL  # portal/config.py
_.ORGANISATION_LEGAL_NAME  # portal/config.py
_.ORGANISATION_SENDER_ADDRESSES  # portal/config.py
_.ORGANISATION_SENDER_DOMAINS  # portal/config.py
_.ORGANISATION_PHONES  # portal/config.py
_.ORGANISATION_POSTAL_ADDRESS  # portal/config.py
_.ORGANISATION_CLAIMS_ADMINISTRATOR  # portal/config.py
_.REPORT_LIMIT_PER_IP  # portal/config.py
_.SUPPORT_RESEND_MINUTES  # portal/config.py
_.SUPPORT_RESEND_LIMIT_PER_PERSON  # portal/config.py
_.MAIL_FROM_NAME  # portal/config.py
_.MAIL_REPLY_TO  # portal/config.py
_.SENDGRID_API_KEY  # portal/config.py
_.SENDGRID_HOST  # portal/config.py
_.SENDGRID_TIMEOUT_SECONDS  # portal/config.py
_.SENDGRID_WEBHOOK_PUBLIC_KEY  # portal/config.py
_.SENDGRID_WEBHOOK_TOLERANCE_SECONDS  # portal/config.py
_.SENDGRID_WEBHOOK_RATE_LIMIT  # portal/config.py
_.CELERY_BROKER_URL  # portal/config.py
_.CELERY_SEND_PARALLELISM  # portal/config.py
_.SENDING_ENGINE  # portal/config.py
_.SEND_CHUNK_SIZE  # portal/config.py
_.SEND_CLAIM_CHUNKS  # portal/config.py
_.SEND_POSTING_PROCESS_MIN_NOTICES  # portal/config.py
_.SEND_MAX_ATTEMPTS  # portal/config.py
_.SEND_BACKOFF_SECONDS  # portal/config.py
_.SEND_BACKOFF_MAX_SECONDS  # portal/config.py
_.REAP_SENDING_AFTER_SECONDS  # portal/config.py
_.SEND_DB_ATTEMPTS  # portal/config.py
_.DB_TRANSACTION_IDLE_SECONDS  # portal/config.py
_.MAX_FORM_BYTES  # portal/config.py
_.MAX_STAFF_FORM_BYTES  # portal/config.py
_.MAX_WEBHOOK_BYTES  # portal/config.py
_.MAX_PROOF_UPLOAD_BYTES  # portal/config.py
_.MAX_PROOF_FORM_PARTS  # portal/config.py
_.MAX_PROOF_FILES  # portal/config.py
_.PROOF_IMAGE_MAX_PIXELS  # portal/config.py
_.MAX_CONTENT_LENGTH  # portal/config.py
_.UPLOAD_FOLDER  # portal/config.py
_.CLAIM_IP_THRESHOLD  # portal/config.py
_.CLAIM_IP_WINDOW_MINUTES  # portal/config.py
_.EXPORT_WORKERS  # portal/config.py
_.EXPORT_POOL_MIN_ROWS  # portal/config.py
_.ORGANISATION_NAME  # portal/config.py
_.PRIVACY_CONTACT_EMAIL  # portal/config.py
_.PRIVACY_DEFAULT_RESPONSE_DAYS  # portal/config.py
_.PRIVACY_BACKUP_DAYS  # portal/config.py
_.PRIVACY_PDF_FONT  # portal/config.py
_.PRIVACY_PDF_FONT_BOLD  # portal/config.py
DEMO_MAILBOX  # portal/config.py
OFFER_PSEUDO_LOCALE  # portal/config.py
DEBUG  # portal/config.py
TESTING  # portal/config.py
SESSION_COOKIE_HTTPONLY  # portal/config.py
SESSION_COOKIE_SAMESITE  # portal/config.py
SESSION_COOKIE_SECURE  # portal/config.py
SESSION_REFRESH_EACH_REQUEST  # portal/config.py
WTF_CSRF_TIME_LIMIT  # portal/config.py
WTF_CSRF_SSL_STRICT  # portal/config.py
RATELIMIT_HEADERS_ENABLED  # portal/config.py
BABEL_DEFAULT_LOCALE  # portal/config.py
BABEL_TRANSLATION_DIRECTORIES  # portal/config.py
LANGUAGES  # portal/config.py
_.SQLALCHEMY_DATABASE_URI  # portal/config.py
_.SQLALCHEMY_ENGINE_OPTIONS  # portal/config.py
_.STAFF_SESSION_MAX_HOURS  # portal/config.py
_.PERMANENT_SESSION_LIFETIME  # portal/config.py
_.SESSION_STORAGE_URI  # portal/config.py
_.RATELIMIT_STORAGE_URI  # portal/config.py
_.VERIFY_LIMIT_PER_CODE  # portal/config.py
_.VERIFY_LIMIT_PER_IP  # portal/config.py

# Model columns: SQLAlchemy maps them; queries and templates read them.
impl  # portal/models/_types.py
verified_at  # portal/models/audit.py
attested_at  # portal/models/claims.py
uploaded_at  # portal/models/claims.py
enrollment_url  # portal/models/monitoring.py
imported_at  # portal/models/monitoring.py
assigned_at  # portal/models/monitoring.py
emailed_at  # portal/models/monitoring.py
contact_hours  # portal/models/incidents.py
request_ip  # portal/models/legal.py
finished_at  # portal/models/legal.py
recorded_by_id  # portal/models/legal.py
recorded_at  # portal/models/legal.py
provider_message_id  # portal/models/notices.py
last_error  # portal/models/notices.py
failed_at  # portal/models/notices.py
received_at  # portal/models/notices.py
versions  # portal/models/notices.py
cancelled_at  # portal/models/notices.py
date_of_birth_enc  # portal/models/people.py
national_id_last4_enc  # portal/models/people.py
open_slot  # portal/models/privacy.py
decided_by_id  # portal/models/privacy.py
set_by_id  # portal/models/privacy.py
set_at  # portal/models/privacy.py
last_sign_in_at  # portal/models/staff.py
_.is_active  # portal/models/staff.py
created_by  # portal/models/staff.py
import_sha256  # portal/models/trust.py
phone_lines  # portal/models/trust.py
logo  # portal/models/trust.py
logo_type  # portal/models/trust.py
logo_width  # portal/models/trust.py
logo_height  # portal/models/trust.py
session_id  # portal/models/web_session.py
expiry  # portal/models/web_session.py

# Enum members: values stored in the database or sent by SendGrid, matched by value.
MARK_SENT  # portal/constants.py
SPAM_REPORT  # portal/constants.py
UNSUBSCRIBE  # portal/constants.py
GROUP_UNSUBSCRIBE  # portal/constants.py

# Called or read by a framework by name: WTForms (Meta, bind_field, widgets, process), Flask-Login
# (is_active), Flask-Session, fpdf2 (footer), io (readable, writable), Babel extractors, TypeDecorator,
# logging (a record's msg and exc_text).
widget  # portal/batches/forms.py
option_widget  # portal/batches/forms.py
Meta  # portal/claims/review_forms.py
_.attested_at  # portal/claims/submission.py
DANGEROUS_PREFIXES  # portal/core/csv_safety.py
SEPARATORS  # portal/core/csv_safety.py
_.process_errors  # portal/web/forms.py
_.object_data  # portal/web/forms.py
_.bind_field  # portal/web/forms.py
extra_filters  # portal/web/forms.py
language_name  # portal/core/i18n.py
keywords  # portal/core/i18n.py
comment_tags  # portal/core/i18n.py
extract_taxonomy  # portal/core/i18n.py
_.readable  # portal/imports/reader.py
exc_info  # portal/imports/reader.py
_.writable  # portal/legal/cli.py
_.recorded_by_id  # portal/legal/filings.py
_.recorded_at  # portal/legal/filings.py
mtime  # portal/legal/jurisdictions.py
_.footer  # portal/privacy/pdf.py
extract_retention  # portal/privacy/schedule.py
_.max_content_length  # portal/web/request_limits.py
_.max_form_parts  # portal/web/request_limits.py
_.sql_session_model  # portal/web/sessions.py
_.permanent  # portal/staff/session.py
STRATEGY  # portal/web/throttles.py
_.itersize  # tools/bench/data_child.py
_.msg  # portal/core/log_redaction.py (logging formats record.msg with record.args)
_.exc_text  # portal/core/log_redaction.py (logging writes record.exc_text as the traceback)

# Background tasks: portal/background/tasks.py names each target as a "module:function" string.
send_for_one_task  # portal/background/sender.py
pump  # portal/background/sender.py
reissue_sealed  # portal/verify/service.py
match_sealed  # portal/trust/letters_by_post.py
purge_on_schedule  # portal/privacy/retention.py
_.__qualname__  # portal/background/celery_app.py: the task's name in Celery's logs

# Read by Jinja templates (or set for them), which vulture does not parse.
_.step_lists  # portal/exposure/service.py
_.finished_at  # portal/batches/letters.py
previous_uid  # portal/batches/preview.py
next_uid  # portal/batches/preview.py
incident_title  # portal/batches/progress.py
template_name  # portal/batches/progress.py
version_number  # portal/batches/progress.py
audience_lines  # portal/batches/progress.py
failures  # portal/batches/progress.py
failure_count  # portal/batches/progress.py
bounced_count  # portal/batches/progress.py
history  # portal/batches/progress.py
already_appealed  # portal/claims/aftercare.py
deadline_passed  # portal/claims/context.py
_.status_text  # portal/claims/state.py
swift_bic  # portal/claims/forms.py
paypal_email  # portal/claims/forms.py
phone_number  # portal/claims/forms.py
confirm  # portal/claims/forms.py
account_holder  # portal/claims/forms.py
account_number  # portal/claims/forms.py
bank_name  # portal/claims/forms.py
out_of_pocket_cap  # portal/claims/settings.py
lost_time_rate  # portal/claims/settings.py
alternative_cash  # portal/claims/settings.py
_.total_cents  # portal/claims/summary.py
_.payment_label  # portal/claims/summary.py
_.lines_of  # portal/claims/summary.py
_.loose_documents  # portal/claims/summary.py
_.last_sign_in_at  # portal/dao/staff.py
_.to_do  # portal/exposure/service.py
subscribed  # portal/exposure/service.py
claim_state  # portal/exposure/service.py
_.subscribed  # portal/exposure/service.py
_.claim_state  # portal/exposure/service.py
_.error_anchor  # portal/web/forms.py
contact_hours  # portal/incidents/forms.py
generated_at  # portal/legal/declaration.py
_.reconciles  # portal/legal/declaration.py
rules_reviewed_on  # portal/legal/regulator.py
_.monitoring_months_owed  # portal/legal/regulator.py
consent  # portal/monitoring/forms.py
enrollment_url  # portal/monitoring/forms.py
pools  # portal/monitoring/products.py
_.emailed_at  # portal/monitoring/service.py
waiting_for  # portal/privacy/schedule.py
accounts  # portal/staff/accounts.py
invites  # portal/staff/accounts.py
password_again  # portal/staff/forms.py
category_title  # portal/staff/person_history.py
checklist  # portal/staff/person_history.py
subscriptions  # portal/staff/person_history.py
exclusions  # portal/staff/person_history.py
claim_status_words  # portal/staff/person_history.py
undecryptable  # portal/staff/service.py
notice_codes  # portal/staff/service.py
means  # portal/core/taxonomy.py
issued_on  # portal/trust/codes.py
phone_lines  # portal/trust/forms.py
identity_checked  # portal/trust/forms.py
normalised  # portal/trust/matching.py
first_at  # portal/trust/reports.py
_.campaign  # portal/trust/reports.py
_.last_error  # portal/webhooks/service.py

# Markers and helpers the tests read: the contractor-page marker, the chain check, the sending
# thread's stop, the starter languages, the Python statement of the variant rule the SQL must match.
verify_audit_chain  # portal/audit/chain.py
choose_variant  # portal/legal/variants.py
starter_languages  # portal/mail/rendering.py
stop_sending_thread  # portal/background/sender.py
_.contractor_page  # portal/verify/session.py
