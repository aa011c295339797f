"""The demo clinic that ``anagen demo`` seeds, so a new user sees a living practice."""
