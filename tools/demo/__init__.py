"""Demo data for ``flask dev demo-data`` (``make demo``): fictional, loaded through the product's own code."""
