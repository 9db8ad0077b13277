"""Query functions: the only place that builds SQL. Routes call these."""
