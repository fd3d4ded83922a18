"""Minga's scheduled jobs: closing each period once its grace days are over (``minga.closing``)."""
