"""Data quality: Pandera contracts checked on the engine, dbt-style data tests, severities.

A contract (``schemas/``) says what one table promises; its checks are evaluated on the staged
rows of a model before they are published. Data tests (``schemas/data_tests.py``) say what
tables promise together, and run both inside every run (write-audit-publish) and on demand
(``medallion test``).
"""
