"""Accounts: users, log-in and log-out, server-side sessions, password reset and change."""
