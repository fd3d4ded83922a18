"""Flask extensions, created unbound here and bound to the application in ``create_app``."""
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

#: a date and time as people say it, to the minute: "20 nov 2026, 14:05" (Babel's "medium"
#: adds the seconds and, in Spanish, "2:05:00 p. m.")
babel = Babel(date_formats={**Babel.default_date_formats, "datetime.medium": "d MMM y, HH:mm"})
csrf = CSRFProtect()
login_manager = LoginManager()
