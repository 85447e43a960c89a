"""Lark grammars of the small languages inside YAML strings (package data)."""
