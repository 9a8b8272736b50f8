"""Development tools, not shipped with the product: benchmarks and demo data (``flask dev …``)."""
