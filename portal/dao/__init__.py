"""All queries live here, named for what they return (``dao_get_…``, ``dao_find_…``)."""
