"""The typed AST: frozen attrs classes, every node with its span."""
