"""The catalog in the database: repositories, the short-lived page cache, the CSV format and transfer."""
