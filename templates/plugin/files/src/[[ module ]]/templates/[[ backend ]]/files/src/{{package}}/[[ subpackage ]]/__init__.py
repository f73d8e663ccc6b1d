"""The [[ backend ]] backend: keyword retrieval over ``data/corpus``."""
