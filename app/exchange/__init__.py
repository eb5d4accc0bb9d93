"""Exchange with other bodies: who they are (bodies), handing reports on (forwarding jobs done
by the worker through a transport), and their updates coming back (sync)."""
