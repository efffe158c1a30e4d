"""Agent and admin sign-in: argon2 passwords, server-side sessions in a cookie, CSRF tokens.

FastAPI dependencies are in ``app.auth.deps`` (``AgentDep``, ``AdminDep``, ``CurrentUserDep``).
"""
