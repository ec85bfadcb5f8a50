"""Tour: the seed tutorial's story in steps, each with a live view of the samples (?step=N opens one)."""

from formatlens.ui.router import through_app
from formatlens.ui.tour import show

through_app()  # a link opened first on a fresh server still goes through app.py

show()
