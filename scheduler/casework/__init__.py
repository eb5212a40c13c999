"""A person's case over time: recurring check-ins, dates to be set, reports, court watch."""
