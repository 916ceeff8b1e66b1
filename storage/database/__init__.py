"""Engine, sessions, dialect differences, the SQLite writer queue, migrations and schema status."""
