"""The clinical knowledge of Anagen: pure Python (and numpy), no Django, no I/O, no clock.

Today's date and random generators are always arguments. Every rule cites its source in its
docstring; values that are a clinic's own choice live in protocol settings with documented defaults.
"""
