"""Floor 4: reports."""
