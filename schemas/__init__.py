"""Pandera contracts between the layers, one module per layer (packaged with the wheel)."""
