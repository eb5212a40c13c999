"""Services: load rows, call the domain, apply the result, flush. Views commit once."""
