"""App-wide web parts: error pages, headers, templating, input guard, session guard."""
