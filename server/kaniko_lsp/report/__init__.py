"""Output formats of `kaniko-lsp check`."""
