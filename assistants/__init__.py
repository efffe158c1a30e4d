"""Assistant projects that ship with kefu. ``acme`` is the demo assistant (Acme Gadgets)."""
