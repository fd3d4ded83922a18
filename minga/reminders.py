"""Reminders before each work session, through the outbox (``minga.notices.reminder``)."""
