"""Web pages: the demo shop with the chat widget, and the widget script itself."""
