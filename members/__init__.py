"""Member register: members, applications, households, homes and lots, share capital, portal.

Depends on the kernel only. (Its models and pages arrive with the member-register issue.)
"""
