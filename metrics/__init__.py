"""The metrics layer: source contract, data-quality rules, indicator definitions
and their computation. Knows nothing of Dash or of the snapshot store."""
