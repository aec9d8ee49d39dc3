"""One module per output format, each `render(derivation) -> str`, importing only the model."""
