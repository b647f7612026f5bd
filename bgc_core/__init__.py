"""The shared foundation of BGC Analytics: settings, database access, the embedded server,
migrations, reference tables, the registry of report views and the SQL files.

Both sides build on it, the pipeline (:mod:`bgc_pipeline`) and the API (:mod:`bgc_api`);
it imports neither (``tests/unit/test_architecture.py`` holds it to that).
"""
