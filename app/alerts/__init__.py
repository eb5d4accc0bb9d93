"""Area alerts: mails about new public reports in a district or around an address or point,
at once or as a daily digest (double opt-in, one-click unsubscribe)."""
