"""Scheduled jobs of the member register."""
