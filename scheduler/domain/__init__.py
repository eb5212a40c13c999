"""Pure rules of the domain: no Flask, no SQLAlchemy (a test enforces it)."""
