"""The editor server (`floec lsp`) and the editor features it serves.

Only `floec.lsp.server` imports pygls; the other modules import lsprotocol at most.
"""
