"""What the service does to tickets, calendars and accounts, on the rows."""
