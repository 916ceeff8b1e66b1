"""SQLAlchemy implementation of the domain ports.

Start-up (in `bot/`):  engine = storage.engine.create_engine(settings.database_url)
                       uow_factory = storage.unit_of_work.SqlAlchemyUnitOfWorkFactory(engine)
Shutdown:              await storage.engine.dispose(engine)
Schema:                `shopbot db upgrade` (storage.migrate.upgrade / upgrade_with)
Health:                `shopbot doctor` (storage.invariants.find_violations)
"""
