"""``python -m app`` is the ``kefu`` command."""

from app.cli import main

main()
