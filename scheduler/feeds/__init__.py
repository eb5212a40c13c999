"""Calendar feeds: the iCal URL calendar apps poll, the subscription page, single-event files."""
