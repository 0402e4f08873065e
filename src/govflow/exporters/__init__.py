"""Exporters: a schedule turned into the files other tools read (Gantt data and charts, calendars)."""
