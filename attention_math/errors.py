"""The one exception type the core raises for bad input."""


class InputError(ValueError):
    """Bad user input: an empty sentence, an unknown role, a broken example file...

    The message is one line meant for the user; command-line entry points print it
    and exit with status 2 instead of showing a traceback.
    """
