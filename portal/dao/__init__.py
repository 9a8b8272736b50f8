"""Every query of the product, one module per table or aggregate, named ``dao_<verb>_<thing>``.

A function is defined once, in the module of the table it reads or writes (``dao_get_person`` in
people.py, ``dao_get_incident`` in incidents.py); a query over several tables sits with the
aggregate it answers for (``register_outcomes`` for the declaration's counts, ``audience`` for a
batch's recipients). Four modules hold one operation over many tables, whose statements are only
right read together: ``imports`` (the register import), ``erasure`` (erasing one person),
``retention`` (purging one incident) and ``claimant_exports`` (the claimant export's keyset pages).

The DAO never commits: the service that calls it owns the transaction, so a state change and its
audit row commit together.

Where SQLite and PostgreSQL differ, ask ``sql.is_postgres()`` (the one place that reads the
dialect) or use the helpers beside it (``upsert_insert``, ``string_agg``, ``id_in``).

Statements a hot page runs on every request are built once, at import, with bound parameters for
what changes: composing a ``select()`` costs more than SQLite takes to run it (a fifth of
``/my``'s reads went to building the same statements).

Exceptions, each for a reason:

* ``imports.py`` hands PostgreSQL rows through ``COPY`` on the driver connection (a row-by-row
  upsert cost three times as much); it is still the only module that writes the register.
* ``portal/db_setup.py`` sets SQLite's pragmas on the engine at start-up, before any session.
* ``portal/core/db_retry.py`` sets PostgreSQL's idle-in-transaction limit for the transaction it
  runs: it sits below dao in the layers, and that is a session setting, not a query.
* ``tools/`` (benchmarks and demo data) is not the product and writes its fixtures directly.
* Services also change attributes of rows these functions returned, most after locking them here
  (``dao_lock_…``, ``…_for_update``); the ORM writes those changes when the service commits.
"""
