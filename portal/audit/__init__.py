"""The audit chain: every state change's hash-chained row (``chain``) and ``flask portal audit``.

It sits beside the services, not in ``core``: writing an audit row reads and writes model rows
through ``dao.audit`` inside the caller's transaction, so it is above models and the DAO."""
