"""The test fine-tuning backend: a "model" that always gives the same answer."""
