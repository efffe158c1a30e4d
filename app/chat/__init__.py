"""The customer chat edge: websocket protocol v1 at /ws/chat."""
