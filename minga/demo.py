"""The demo co-op's Minga: four commissions with a year of sessions, sign-ups, attendance and a fine run."""
