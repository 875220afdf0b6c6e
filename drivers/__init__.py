"""Scanner and label printer drivers: bytes and keys in, `Scan` values out. No Textual, no store."""
