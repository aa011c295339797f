from anagen.formats.en.formats import *  # noqa: F403 - the same formats until a translator says otherwise
