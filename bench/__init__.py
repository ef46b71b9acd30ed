"""hostray benchmarks: every figure is a ratio against a baseline run side by side."""
