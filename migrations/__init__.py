"""Alembic migrations: the only way kefu's schema changes (``kefu db upgrade``)."""
