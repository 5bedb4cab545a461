# The English interface keeps the Vietnamese date and number conventions of the documents it
# shows, so it takes them from the one place they are written down.
from __future__ import annotations

from congvu.formats.vi.formats import *  # noqa: F403
