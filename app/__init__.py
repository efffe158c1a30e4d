"""The edges of kefu: HTTP and websocket endpoints, storage, realtime hub, CLI."""
