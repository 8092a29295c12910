"""The service: a shared workspace for a mediation team (FastAPI, SQLAlchemy, web pages).

Needs the ``service`` extra (``pip install 'accord[service]'``). ``create_app(settings)`` builds the
application; ``accord serve`` runs it on Uvicorn.
"""
