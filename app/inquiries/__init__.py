"""Questions to the reporter by mail, answered through a one-time link (Rückfrage)."""
