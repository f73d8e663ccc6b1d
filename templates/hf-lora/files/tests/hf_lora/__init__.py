"""Tests of the LoRA starter; conftest.py holds the local vLLM stand-in they share."""
